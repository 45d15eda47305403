import type { AuditRecord } from '../../domain/disclosure';

export interface UnusualAccess {
  readonly kind: 'many-subjects' | 'out-of-hours' | 'repeated-refusals';
  readonly user: string;
  readonly agency: string;
  readonly detail: string;
  readonly disclosureIds: readonly string[];
}

export interface UnusualAccessRules {
  /** Distinct subjects one user may read in a day before it is worth a look. */
  readonly subjectsPerDay: number;
  /** Working hours, UTC, [start, end). */
  readonly workingHours: readonly [number, number];
  /** Refusals within an hour that make a pattern. */
  readonly refusalsPerHour: number;
}

export const DEFAULT_RULES: UnusualAccessRules = {
  subjectsPerDay: 25,
  workingHours: [7, 20],
  refusalsPerHour: 3,
};

/**
 * The reads that open one person at a time. A board, a list or a register names many people by
 * design, and opening it is the meeting's or the practitioner's ordinary work: counted, every chair
 * who opened the board would be flagged for reading the whole cohort.
 */
const ONE_PERSON_READS: ReadonlySet<string> = new Set([
  'subject.view',
  'subject.timeline',
  'subject.break-glass',
  'subject.access-export',
]);

/** Patterns an IG lead should look at; pure over the records given. */
export function findUnusualAccess(
  records: readonly AuditRecord[],
  rules: UnusualAccessRules = DEFAULT_RULES,
): UnusualAccess[] {
  const found: UnusualAccess[] = [];
  const people = records.filter((record) => record.content.principal.kind === 'person');
  const group = <K>(
    keyOf: (record: AuditRecord) => K | undefined,
    from: readonly AuditRecord[] = people,
  ): Map<K, AuditRecord[]> => {
    const groups = new Map<K, AuditRecord[]>();
    for (const record of from) {
      const key = keyOf(record);
      if (key === undefined) continue;
      const list = groups.get(key);
      if (list) list.push(record);
      else groups.set(key, [record]);
    }
    return groups;
  };
  const who = (record: AuditRecord) => ({
    user: record.content.principal.user,
    agency: record.content.principal.agency,
  });

  for (const [, list] of group((r) =>
    r.content.outcome === 'disclosed' && ONE_PERSON_READS.has(r.content.action)
      ? `${r.content.principal.user}|${r.content.at.slice(0, 10)}`
      : undefined,
  )) {
    const subjects = new Set(list.flatMap((r) => r.content.subjects.map((s) => s.subjectId)));
    if (subjects.size > rules.subjectsPerDay && list[0]) {
      found.push({
        kind: 'many-subjects',
        ...who(list[0]),
        detail: `${subjects.size} subjects opened one at a time on ${list[0].content.at.slice(0, 10)}`,
        disclosureIds: list.map((r) => r.content.id),
      });
    }
  }
  for (const [, list] of group((r) => {
    const at = new Date(r.content.at);
    const hour = at.getUTCHours();
    const weekend = at.getUTCDay() === 0 || at.getUTCDay() === 6;
    return weekend || hour < rules.workingHours[0] || hour >= rules.workingHours[1]
      ? r.content.principal.user
      : undefined;
  })) {
    if (list[0])
      found.push({
        kind: 'out-of-hours',
        ...who(list[0]),
        detail: `${list.length} read(s) outside working hours`,
        disclosureIds: list.map((r) => r.content.id),
      });
  }
  // A system probing what it may not read is as worth a look as a person doing so.
  for (const [, list] of group(
    (r) =>
      r.content.outcome === 'refused'
        ? `${r.content.principal.agency}|${r.content.principal.user}|${r.content.at.slice(0, 13)}`
        : undefined,
    records,
  )) {
    if (list.length >= rules.refusalsPerHour && list[0]) {
      found.push({
        kind: 'repeated-refusals',
        ...who(list[0]),
        detail: `${list.length} refusals within the hour from ${list[0].content.at.slice(0, 13)}:00`,
        disclosureIds: list.map((r) => r.content.id),
      });
    }
  }
  return found;
}
