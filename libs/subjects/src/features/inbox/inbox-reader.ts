import { Injectable } from '@nestjs/common';
import type { SubjectDisclosure } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
import { isAlerting, type PurposeOfUse, type TimelineEntry } from '@throughline/domain';
import { ReadModelStore } from '@throughline/projections';
import { AgreementService, type Teller, tellerFor } from '@throughline/sharing';
import type { DisclosedEntry } from '../../domain/disclose';
import type { SubjectDoc } from '../../domain/subject-view';
import { isKeyWorker, type Notification, notificationOf } from '../../domain/inbox';
import { CASELOADS, type CaseloadEntry, caseloadPrefix } from '../../projections/caseloads.projection';
import { SUBJECT_VIEWS } from '../../projections/subject-views.projection';
import { subjectDisclosure } from '../disclosure-record';
import { SubjectDocs } from '../read-subject/subject-docs';
import { type DisclosedSubject, SubjectReader } from '../read-subject/subject-reader';
import { InboxReads } from './inbox-reads';

/** A notification with what its disclosure record names: the entry served and the subject's cut. */
export interface Inboxed {
  readonly notification: Notification;
  readonly entry: DisclosedEntry;
  readonly subject: DisclosedSubject;
}

export interface InboxContents {
  readonly items: readonly Inboxed[];
  /** People on the caseload left out because their record is held back pending repair. */
  readonly heldBack: number;
  readonly agreementVersion: string | null;
}

/** Which part of the log an inbox is read over: everything, or a stretch just applied (the live feed). */
export interface InboxScope {
  /** Only these subjects (records), e.g. those a stretch of the log touched. */
  readonly subjects?: ReadonlySet<string>;
  /** Only events recorded after this log position. */
  readonly after?: number;
  /** Only events recorded at or before this log position. */
  readonly upTo?: number;
}

const EVERYONE = Number.MAX_SAFE_INTEGER;

/**
 * A person's notifications, worked out as they are read: for each person on the reader's agency
 * caseload, the entries of alerting kinds that the reader's own cut serves (the one read path:
 * purpose, role, consent, concerns, restrictions, corrections and redactions as for any read),
 * kept only where `isTold` (the rule the Kafka alerts are decided by) tells the reader's agency.
 * Nothing is stored but the read marks; a correction, a redaction or a withdrawn consent changes
 * what the next read shows.
 */
@Injectable()
export class InboxReader {
  constructor(
    private readonly subjects: SubjectReader,
    private readonly docs: SubjectDocs,
    private readonly readModels: ReadModelStore,
    private readonly agreements: AgreementService,
    private readonly reads: InboxReads,
  ) {}

  /**
   * The log position both projections the inbox reads from have applied: everything at or before it
   * is in what `contents` reads now. A list read after taking it can be followed live from it.
   */
  async applied(): Promise<number> {
    const [views, caseloads] = await Promise.all([
      this.readModels.checkpoint(SUBJECT_VIEWS),
      this.readModels.checkpoint(CASELOADS),
    ]);
    return Math.min(views, caseloads);
  }

  async contents(
    principal: Principal,
    purpose: PurposeOfUse,
    now: Date,
    scope: InboxScope = {},
  ): Promise<InboxContents> {
    // Each record on the agency's caseload, with the log position from which the agency works with it.
    const caseload = new Map(
      (await this.readModels.list<CaseloadEntry>(CASELOADS, caseloadPrefix(principal.agency)))
        .filter((entry) => !scope.subjects || scope.subjects.has(entry.subjectId))
        .map((entry) => [entry.subjectId, entry.since]),
    );
    const agreement = await this.agreements.current();
    if (caseload.size === 0) return { items: [], heldBack: 0, agreementVersion: agreement?.version ?? null };
    const [servable, marks] = await Promise.all([
      this.subjects.readServable(principal, purpose, now, {
        includes: (subjectId) => caseload.has(subjectId),
        matches: () => true,
        limit: EVERYONE,
      }),
      this.reads.marked(principal),
    ]);
    const within = (entry: TimelineEntry): boolean =>
      isAlerting(entry.type) &&
      (scope.after === undefined || entry.position > scope.after) &&
      (scope.upTo === undefined || entry.position <= scope.upTo);
    const candidates = servable.subjects.flatMap((subject) =>
      subject.entries.filter(({ entry }) => within(entry)).map((entry) => ({ subject, entry })),
    );
    const items: Inboxed[] = [];
    // The person's document as the projection holds it, read once per person: the events whole
    // (the rule is asked of the event as recorded and corrected, not of the reader's cut of it),
    // and each record's views and sharing state, as the relay reads them (subjectSharingOf).
    const people = new Map<DisclosedSubject, Promise<Person>>();
    const tellers = new Map<string, Teller>();
    const tellerOf = (person: Person, recordId: string): Teller => {
      let teller = tellers.get(recordId);
      if (!teller) {
        const record = person.records.get(recordId);
        const since = caseload.get(recordId);
        teller =
          record && since !== undefined
            ? tellerFor(principal.agency, {
                subject: {
                  views: record.views,
                  sharing: record.sharing,
                  workingWith: [{ agency: principal.agency, since }],
                },
                agreement,
                now,
              })
            : () => null;
        tellers.set(recordId, teller);
      }
      return teller;
    };
    const keyWorker = new Map<DisclosedSubject, boolean>();
    for (const { subject, entry } of candidates) {
      let loading = people.get(subject);
      if (!loading) people.set(subject, (loading = this.person(subject.subjectId)));
      const person = await loading;
      const recorded = person.alerting.get(entry.entry.position);
      if (!recorded || !tellerOf(person, entry.entry.subjectId)(recorded)) continue;
      let yours = keyWorker.get(subject);
      if (yours === undefined) {
        yours = isKeyWorker(
          subject.entries.map(({ entry: served }) => served),
          principal.agency,
          principal.id,
        );
        keyWorker.set(subject, yours);
      }
      const notification = notificationOf({
        entry: entry.entry,
        identity: subject.record.identity,
        yours,
        read: marks.has(entry.entry.id),
      });
      if (notification) items.push({ notification, entry, subject });
    }
    return {
      items,
      heldBack: servable.heldBack,
      agreementVersion: servable.subjects[0]?.agreementVersion ?? agreement?.version ?? null,
    };
  }

  /** The person's document: its alerting entries whole, by log position, and each record's own. */
  private async person(subjectId: string): Promise<Person> {
    const doc = await this.docs.current(subjectId);
    return {
      alerting: new Map(
        (doc?.timeline ?? [])
          .filter((entry) => isAlerting(entry.type))
          .map((entry) => [entry.position, entry]),
      ),
      records: new Map((doc ? (doc.records ?? [doc]) : []).map((record) => [record.subjectId, record])),
    };
  }
}

interface Person {
  readonly alerting: ReadonlyMap<number, TimelineEntry>;
  readonly records: ReadonlyMap<string, SubjectDoc>;
}

/** The fields a notification shows of the person beside the event: the name, where served. */
const NAME_FIELDS = { identity: ['familyName', 'givenName'] } as const;

/**
 * What a record of notifications says of each person in it: the events shown (each with the
 * fields served and the ground they were served on) and, where the name was shown, the identity
 * fields and the ground of those. Grouped per subject, so a subject access export finds its part.
 */
export function inboxDisclosure(items: readonly Inboxed[]): SubjectDisclosure[] {
  const bySubject = new Map<string, Inboxed[]>();
  for (const item of items) {
    const id = item.subject.subjectId;
    bySubject.set(id, [...(bySubject.get(id) ?? []), item]);
  }
  return [...bySubject].map(([subjectId, shown]) => {
    const events = subjectDisclosure(
      subjectId,
      shown.map(({ entry }) => entry),
      {},
    );
    const named = shown.some(({ notification }) => notification.name !== null);
    if (!named) return events;
    const name = subjectDisclosure(subjectId, shown[0]!.subject.entries, {
      onlyCategories: ['identity'],
      fields: NAME_FIELDS,
      withEvents: false,
    });
    return mergeDisclosures(events, name);
  });
}

function mergeDisclosures(a: SubjectDisclosure, b: SubjectDisclosure): SubjectDisclosure {
  const grounds = [...a.grounds];
  for (const ground of b.grounds) {
    const same = grounds.findIndex(
      (known) =>
        known.rule === ground.rule &&
        known.basis === ground.basis &&
        known.clause === ground.clause &&
        known.reliedOn === ground.reliedOn,
    );
    if (same < 0) grounds.push(ground);
    else
      grounds[same] = {
        ...grounds[same]!,
        categories: [...new Set([...grounds[same]!.categories, ...ground.categories])],
      };
  }
  const fields: Record<string, readonly string[]> = { ...a.fields };
  for (const [category, names] of Object.entries(b.fields))
    fields[category] = [...new Set([...(fields[category] ?? []), ...names])].sort();
  return { subjectId: a.subjectId, grounds, fields, positions: a.positions };
}
