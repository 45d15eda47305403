import { performance } from 'node:perf_hooks';
import type { Principal } from '@throughline/auth';
import { generateDemo } from '@throughline/demo';
import { CATALOGUE, type DataCategory, type PublishedEvent, timelineOf } from '@throughline/domain';
import { foldRecord } from '@throughline/subjects';
import { type BoardEntry, boardRow, type Deselection, releasedDetail } from '@throughline/tasking';
import { boardPage } from './board.page';
import { arrangeBoard, BOARD_PAGE_SIZE, pageOf, parseBoardQuery } from './board-view';
import type { CohortMetrics } from './cohort-metrics';

const COHORT = 1000;
const BANDS = ['red', 'amber', 'green'] as const;
const CHAIR: Principal = {
  kind: 'person',
  id: 'chair-01',
  agency: 'police',
  role: 'tasking-chair',
} as Principal;

/**
 * A heavy cohort member: a two-year band history, three key workers, open needs, two actions and a
 * live probation release showing twenty supervision and risk events, the most the demo gives anyone.
 */
function person(index: number): BoardEntry {
  const band = BANDS[index % 3]!;
  return {
    subjectId: `00000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
    name: `Given${index} Family${index}`,
    band,
    trend: 'steady',
    bandHistory: Array.from({ length: 12 }, (_, month) => ({
      band: BANDS[(index + month) % 3]!,
      at: `2025-${String((month % 12) + 1).padStart(2, '0')}-01T10:00:00Z`,
    })),
    cohortClass: index % 2 === 0 ? 'PPO' : 'target',
    category: (index % 4) + 1,
    inCustody: index % 3 === 0,
    releaseDate: index % 3 === 0 ? '2027-01-15' : null,
    wanted: index % 7 === 0,
    openNeeds: ['accommodation', 'drugs-alcohol', 'ete'],
    keyWorkers: ['police', 'probation', 'health'].map((agency) => ({
      agency,
      worker: `${agency} worker ${index}`,
      contact: `0161 555 ${String(index).padStart(4, '0')}`,
    })),
    actions: [0, 1].map((n) => ({
      actionId: `ACT-${index}-${n}`,
      ownerAgency: n === 0 ? 'housing' : 'probation',
      due: n === 0 ? '2026-11-01' : '2027-01-10',
      text: 'Find accommodation before release and confirm the address with the prison.',
      overdue: n === 0,
    })),
    overdueActions: 1,
    reviewDue: '2026-12-20',
    reviewOverdue: false,
    released: [
      {
        releaseId: `REL-${index}`,
        eventId: `release-${index}`,
        agency: 'probation',
        meeting: 'North IOM tasking 2026-12-01',
        categories: ['supervision', 'risk'],
        legalBasis: 'DPA 2018 Part 3 s.31 (law enforcement purposes)',
        expires: '2027-12-01T10:00:00Z',
        events: Array.from({ length: 20 }, (_, n) => ({
          id: `event-${index}-${n}`,
          position: index * 100 + n,
          type: n % 2 === 0 ? 'iom.appointment.attended.v1' : 'iom.risk.assessed.v1',
          time: '2026-10-01T10:00:00Z',
          category: n % 2 === 0 ? ('supervision' as const) : ('risk' as const),
          data: {
            appointmentId: `APP-${n}`,
            with: 'probation',
            purpose: 'supervision',
            at: '2026-10-01T10:00:00Z',
          },
        })),
      },
    ],
  };
}

const deselections: Deselection[] = Array.from({ length: 400 }, (_, index) => ({
  subjectId: `10000000-0000-4000-8000-${String(index).padStart(12, '0')}`,
  name: `Left${index} Cohort${index}`,
  cohortClass: 'target',
  reason: 'progress',
  at: '2026-06-01T10:00:00Z',
  note: 'Settled accommodation and employment for six months.',
}));

const metrics: CohortMetrics = {
  asOf: '2026-12-06T00:00:00Z',
  months: Array.from({ length: 24 }, (_, month) => ({
    month: `${2025 + Math.floor(month / 12)}-${String((month % 12) + 1).padStart(2, '0')}`,
    red: 300,
    amber: 400,
    green: 300,
    unbanded: 0,
    adopted: 40,
    deselected: 20,
  })),
  arrests: { people: 600, before: 2400, after: 1500 },
};

describe('the board page for a cohort of a thousand', () => {
  const all = Array.from({ length: COHORT }, (_, index) => person(index));

  it.each([{}, { page: '20' }, { band: 'red', sort: 'name:ascending', page: '2' }])(
    'is one page of fifty, under 300 KB, built in under 500 ms (%j)',
    (raw) => {
      const query = parseBoardQuery(raw);
      const started = performance.now();
      const arranged = arrangeBoard(all, query);
      const rows = pageOf(arranged, query.page);
      const markup = boardPage({
        principal: CHAIR,
        csrf: 'x'.repeat(43),
        query,
        rows,
        matching: arranged.length,
        all,
        deselections,
        metrics,
        lastMeeting: null,
      });
      const took = performance.now() - started;
      const bytes = Buffer.byteLength(markup);
      expect(rows).toHaveLength(BOARD_PAGE_SIZE);
      expect(bytes).toBeLessThan(300 * 1024);
      expect(took).toBeLessThan(500);
      // Released detail is one link away per person, and the pages are linked.
      expect(markup.match(/href="\/app\/board\/released\//g)).toHaveLength(BOARD_PAGE_SIZE);
      expect(markup).not.toContain('APP-1');
      expect(markup).toMatch(/Page \d+ of \d+/);
    },
  );
});

/**
 * The board's rows for a demo partnership, folded as the board folds them: each person's events
 * (named by any of their identifiers) through the timeline, the record and the board row, with the
 * detail released to the meeting. People registered twice stay two records, as before a merge.
 */
function demoCohort(subjects: number, nowIso: string): BoardEntry[] {
  const { publications } = generateDemo({ seed: 5, subjects });
  const personOf = new Map<string, string>();
  const categoryOf = new Map<string, DataCategory>();
  const events = new Map<string, PublishedEvent[]>();
  let position = 0;
  for (const { agency, source, event } of publications) {
    const data = event.data as Record<string, unknown>;
    if (event.type === 'iom.subject.registered.v1' && !personOf.has(event.subject)) {
      personOf.set(event.subject, event.subject);
      for (const { scheme, value } of (data.identifiers ?? []) as { scheme: string; value: string }[])
        personOf.set(`${scheme}:${value}`, event.subject);
    }
    const person = personOf.get(event.subject);
    if (person === undefined) continue;
    if (event.type === 'iom.subject.identifier-linked.v1')
      personOf.set(`${String(data.scheme)}:${String(data.value)}`, person);
    const declared = CATALOGUE[event.type].category;
    const category =
      declared === 'of-target' ? (categoryOf.get(String(data.targetEventId)) ?? 'cohort') : declared;
    categoryOf.set(event.id, category);
    position += 1;
    const published = {
      type: event.type,
      data: event.data,
      id: event.id,
      subjectId: person,
      position,
      revision: position,
      meta: {
        agency,
        source,
        ceId: event.id,
        time: event.time,
        subjectRef: event.subject,
        publishedBy: agency,
        category,
      },
    } as PublishedEvent;
    events.set(person, [...(events.get(person) ?? []), published]);
  }
  return [...events].flatMap(([person, list]) => {
    const timeline = timelineOf(list);
    const record = foldRecord(person, timeline);
    return record.cohort.status === 'adopted'
      ? [{ ...boardRow(record, nowIso), released: releasedDetail(timeline, nowIso) }]
      : [];
  });
}

describe('the board page for the demo partnership grown to a cohort of a thousand', () => {
  it('is one page of fifty of the thousand, under 300 KB, built in under 500 ms', () => {
    const all = demoCohort(1600, new Date().toISOString());
    expect(all.length).toBeGreaterThanOrEqual(1000);
    const query = parseBoardQuery({});
    const started = performance.now();
    const arranged = arrangeBoard(all, query);
    const markup = boardPage({
      principal: CHAIR,
      csrf: 'x'.repeat(43),
      query,
      rows: pageOf(arranged, 1),
      matching: arranged.length,
      all,
      deselections,
      metrics,
      lastMeeting: null,
    });
    const took = performance.now() - started;
    expect(Buffer.byteLength(markup)).toBeLessThan(300 * 1024);
    expect(took).toBeLessThan(500);
    expect(markup).toContain(`; ${all.length} in the cohort)`);
    // Generating and folding 1,600 people's two years is most of the time; the page is the rest.
  }, 60_000);
});
