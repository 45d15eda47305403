import { createHash } from 'node:crypto';
import {
  CATALOGUE,
  DEFAULT_ISSUING_AGENCIES,
  EVENT_TYPES,
  formatIdentifier,
  identifierClaimRefusal,
  identifiersLinkedBy,
  parseSubjectReference,
  recordMergeOf,
  validateEventData,
  type CohortAdoptedV1,
  type CohortScoredV1,
  type SubjectRegisteredV1,
} from '@throughline/domain';
import { DEMO_SOURCES, generateDemo, type DemoPublication, startEndingToday } from './index';

const isoDateDaysAgo = (days: number): string =>
  new Date(Date.now() - days * 86_400_000).toISOString().slice(0, 10);

const digest = (publications: readonly DemoPublication[]): string =>
  createHash('sha256').update(JSON.stringify(publications)).digest('hex');

describe('generateDemo', () => {
  const { publications } = generateDemo({ seed: 7 });
  const ofType = <T>(type: string): T[] =>
    publications.filter((p) => p.event.type === type).map((p) => p.event.data as T);

  // A smaller partnership keeps the suite fast; the generator has no size-dependent paths.
  it('is deterministic for a seed and differs between seeds', () => {
    const options = { seed: 7, subjects: 60 };
    const first = digest(generateDemo(options).publications);
    expect(digest(generateDemo(options).publications)).toBe(first);
    expect(digest(generateDemo({ ...options, seed: 8 }).publications)).not.toBe(first);
  });

  it('has at least 300 people and 30,000 events by default', () => {
    expect(ofType('iom.subject.registered.v1').length).toBeGreaterThanOrEqual(300);
    expect(publications.length).toBeGreaterThanOrEqual(30_000);
  });

  it('publishes only valid events, each by an agency allowed to publish its type from its own source', () => {
    const problems: string[] = [];
    for (const { agency, source, event } of publications) {
      const issues = validateEventData(event.type, event.data);
      if (issues.length > 0) problems.push(`${event.type}: ${JSON.stringify(issues)}`);
      const publishers = CATALOGUE[event.type].publishers;
      if (publishers !== 'any' && !(publishers as readonly string[]).includes(agency)) {
        problems.push(`${agency} published ${event.type}`);
      }
      if (source !== event.source || !DEMO_SOURCES[agency].includes(source))
        problems.push(`${agency} from ${source}`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('has well-formed envelopes with unique ids', () => {
    const ids = new Set(publications.map((p) => p.event.id));
    expect(ids.size).toBe(publications.length);
    for (const { agency, event } of publications.slice(0, 500)) {
      expect(event).toMatchObject({ specversion: '1.0', datacontenttype: 'application/json' });
      expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(event.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
      expect(parseSubjectReference(event.subject, agency).ok).toBe(true);
    }
  });

  it('is in time order, over the two years up to today unless told where to start', () => {
    const times = publications.map((p) => Date.parse(p.event.time));
    expect(times.every((t, i) => i === 0 || t >= (times[i - 1] ?? t))).toBe(true);
    const today = Date.now();
    expect(times[0]).toBeGreaterThanOrEqual(Date.parse(startEndingToday(24)));
    expect(times[0]).toBeLessThan(Date.parse(startEndingToday(24)) + 31 * 86_400_000);
    expect(times.at(-1)).toBeLessThanOrEqual(today + 86_400_000);
    expect(times.at(-1)).toBeGreaterThan(today - 14 * 86_400_000);
    const fixed = generateDemo({ seed: 7, subjects: 20, start: '2024-01-01' }).publications;
    expect(fixed[0]?.event.time.startsWith('2024-01')).toBe(true);
    expect(Date.parse(fixed.at(-1)?.event.time ?? '')).toBeLessThan(Date.parse('2026-01-02'));
  });

  it('starts the period two years before the day it is asked on', () => {
    expect(startEndingToday(24, Date.parse('2026-12-06T15:00:00Z'))).toBe('2024-12-06');
    expect(startEndingToday(3, Date.parse('2025-05-31T00:00:00Z'))).toBe('2025-02-28');
  });

  it('names every subject by an identifier registered or linked earlier, and registers each person once', () => {
    const known = new Set<string>();
    const problems: string[] = [];
    for (const { agency, event } of publications) {
      const parsed = parseSubjectReference(event.subject, agency);
      // Only a registration may name its subject by a partnership id: the record it creates.
      if (!parsed.ok || (parsed.value.kind !== 'identifier' && event.type !== 'iom.subject.registered.v1')) {
        problems.push(`${event.type} names ${event.subject}`);
        continue;
      }
      const subject =
        parsed.value.kind === 'identifier' ? formatIdentifier(parsed.value.identifier) : parsed.value.id;
      const merged = recordMergeOf(event.type, event.data)?.merged;
      if (merged !== undefined && !known.has(merged)) problems.push(`${event.type} names unknown ${merged}`);
      if (event.type === 'iom.subject.registered.v1' && known.has(subject))
        problems.push(`registered twice: ${subject}`);
      if (event.type !== 'iom.subject.registered.v1' && !known.has(subject))
        problems.push(`${event.type} names unknown ${subject}`);
      if (parsed.value.kind === 'partnership-id') known.add(subject);
      for (const { identifier } of identifiersLinkedBy(event.type, event.data, event.subject, agency))
        known.add(formatIdentifier(identifier));
    }
    expect(problems.slice(0, 10)).toEqual([]);
    expect(publications[0]?.event.subject).toMatch(/^(?:pnc:\d{4}\/\d{7}[A-Z]|crn:[A-Z]\d{6})$/);
  });

  it('gives every identifier in its canonical form, each claimed only by the agency that issues it', () => {
    const problems: string[] = [];
    for (const { agency, event } of publications) {
      const linked = identifiersLinkedBy(event.type, event.data, event.subject, agency);
      const byId = parseSubjectReference(event.subject, agency);
      const listed =
        event.type === 'iom.subject.registered.v1'
          ? (event.data as SubjectRegisteredV1).identifiers.length +
            (byId.ok && byId.value.kind === 'identifier' ? 1 : 0)
          : event.type === 'iom.subject.identifier-linked.v1'
            ? 2
            : 0;
      if (linked.length !== listed) problems.push(`${event.type} links an invalid identifier`);
      for (const { identifier, claimed, field } of linked) {
        const refusal = claimed
          ? identifierClaimRefusal(identifier, agency, DEFAULT_ISSUING_AGENCIES)
          : undefined;
        if (refusal) problems.push(`${agency} claims ${formatIdentifier(identifier)} at ${field}`);
      }
      const parsed = parseSubjectReference(event.subject, agency);
      if (parsed.ok && parsed.value.kind === 'partnership-id') continue;
      const canonical =
        parsed.ok && parsed.value.kind === 'identifier' ? formatIdentifier(parsed.value.identifier) : '';
      if (!parsed.ok || canonical.replace(`local:${agency}/`, 'local:') !== event.subject)
        problems.push(`${event.subject} is not in canonical form`);
    }
    expect(problems.slice(0, 10)).toEqual([]);
  });

  it('names corrections after events of the same publisher', () => {
    const byId = new Map(publications.map((p, i) => [p.event.id, { p, i }]));
    const corrections = publications.filter((p) => CATALOGUE[p.event.type].category === 'of-target');
    expect(corrections.length).toBeGreaterThan(0);
    for (const [i, correction] of publications.entries()) {
      if (CATALOGUE[correction.event.type].category !== 'of-target') continue;
      const target = byId.get((correction.event.data as { targetEventId: string }).targetEventId);
      expect(target?.p.agency).toBe(correction.agency);
      expect(target?.p.event.subject).toBe(correction.event.subject);
      expect(target!.i).toBeLessThan(i);
      // Ingestion holds a replacement to its target's type, and takes only original events as targets.
      expect(CATALOGUE[target!.p.event.type].category).not.toBe('of-target');
      if (correction.event.type === 'iom.record.corrected.v1') {
        const { replacement } = correction.event.data as { replacement: unknown };
        expect(validateEventData(target!.p.event.type, replacement)).toEqual([]);
      }
    }
  });

  it('covers every catalogue type and a mix of bands, classes and de-selection reasons', () => {
    const types = new Set(publications.map((p) => p.event.type));
    const missing = EVENT_TYPES.filter((type) => !types.has(type) && !CATALOGUE[type].recordedByPlatform);
    expect(missing).toEqual([]);
    expect(publications.some((p) => CATALOGUE[p.event.type].recordedByPlatform)).toBe(false);
    const bands = new Set(ofType<CohortScoredV1>('iom.cohort.scored.v1').map((d) => d.band));
    expect([...bands].sort()).toEqual(['amber', 'green', 'red']);
    const classes = new Set(ofType<CohortAdoptedV1>('iom.cohort.adopted.v1').map((d) => d.cohortClass));
    expect(classes.size).toBeGreaterThanOrEqual(5);
    const reasons = new Set(ofType<{ reason: string }>('iom.cohort.deselected.v1').map((d) => d.reason));
    expect(reasons.size).toBeGreaterThanOrEqual(4);
  });

  it('holds the last three meetings as the chair recorded them, with actions and decisions naming them', () => {
    const { meetings, platformRecords } = generateDemo({ seed: 7 });
    expect(meetings).toHaveLength(3);
    const today = startEndingToday(0);
    expect(meetings.at(-1)!.date > isoDateDaysAgo(40)).toBe(true);
    for (const meeting of meetings) {
      const { meetingId, date, chair, agenciesPresent, cohortClasses } = meeting;
      expect(
        validateEventData('iom.meeting.opened.v1', {
          meetingId,
          date,
          chair,
          agenciesPresent,
          cohortClasses,
        }),
      ).toEqual([]);
      expect(meeting.closedAt > meeting.openedAt && meeting.date <= today).toBe(true);
      const actions = ofType<{ meeting: string }>('iom.tasking.action-assigned.v1').filter(
        (action) => action.meeting === meeting.meetingId,
      );
      expect(actions.length).toBeGreaterThan(0);
    }
    expect(platformRecords.length).toBeGreaterThan(0);
    for (const record of platformRecords) {
      expect(validateEventData(record.type, record.data)).toEqual([]);
      expect(meetings.map((meeting) => meeting.meetingId)).toContain(
        (record.data as { meeting: string }).meeting,
      );
    }
  });

  it('notifies planned releases at least four weeks ahead', () => {
    const late = publications.filter(
      (p) =>
        p.event.type === 'iom.release.planned.v1' &&
        Date.parse((p.event.data as { date: string }).date) - Date.parse(p.event.time) < 28 * 86_400_000,
    );
    expect(late).toEqual([]);
  });

  it('honours the options', () => {
    const { publications: small } = generateDemo({ seed: 3, subjects: 5, start: '2025-06-01', months: 3 });
    const registered = small.filter((p) => p.event.type === 'iom.subject.registered.v1');
    expect(registered).toHaveLength(5);
    for (const { event } of small) {
      expect(event.time >= '2025-06-01' && event.time < '2025-09-01').toBe(true);
    }
    expect(() => generateDemo({ seed: 1, start: 'soon' })).toThrow(/start/);
  });
});
