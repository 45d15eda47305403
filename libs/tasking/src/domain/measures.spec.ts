import type { TimelineEntry } from '@throughline/domain';
import { computeMeasures, latestVersion, measureFacts, measuresCsvRows } from './measures';

let position = 0;
const entry = (type: string, time: string, data: Record<string, unknown> = {}): TimelineEntry =>
  ({
    id: `e${++position}`,
    type,
    data,
    subjectId: 's',
    position,
    revision: position,
    meta: {
      agency: 'police',
      source: 'urn:test',
      ceId: `c${position}`,
      time,
      subjectRef: 's',
      publishedBy: 't',
      category: 'cohort',
    },
  }) as unknown as TimelineEntry;

const scored = (time: string, band: string) => entry('iom.cohort.scored.v1', time, { band, score: 10 });
const adopted = (time: string, cohortClass = 'PPO') => entry('iom.cohort.adopted.v1', time, { cohortClass });
const deselected = (time: string, reason = 'progress') => entry('iom.cohort.deselected.v1', time, { reason });
const arrested = (time: string) => entry('iom.arrest.recorded.v1', time, { arrestedAt: time, offence: 'x' });
const received = (time: string) =>
  entry('iom.custody.received.v1', time, { establishment: 'HMP X', status: 'remand' });
const released = (time: string) =>
  entry('iom.custody.released.v1', time, { releasedAt: time, licence: true, gatePickup: false });
const housed = (time: string, status: string) => entry('iom.accommodation.changed.v1', time, { status });

const now = new Date('2025-12-15T12:00:00Z');
const measuresOf = (timelines: TimelineEntry[][], months = 4, versions = {}) =>
  computeMeasures(timelines.map(measureFacts), now, months, versions);

describe('measures', () => {
  it('counts people in the cohort at each month end by band and class, and the flow in and out by reason', () => {
    const { measures } = measuresOf(
      [
        [
          scored('2025-09-05T10:00:00Z', 'red'),
          adopted('2025-09-06T10:00:00Z'),
          scored('2025-11-02T10:00:00Z', 'amber'),
        ],
        [
          adopted('2025-10-10T10:00:00Z', 'CuD'),
          scored('2025-10-11T10:00:00Z', 'green'),
          deselected('2025-12-01T10:00:00Z', 'moved'),
        ],
      ],
      4,
    );
    const cohort = measures['cohort-by-class-and-band'].months;
    expect(
      cohort.map(({ month, red, amber, green, unbanded }) => ({ month, red, amber, green, unbanded })),
    ).toEqual([
      { month: '2025-09', red: 1, amber: 0, green: 0, unbanded: 0 },
      { month: '2025-10', red: 1, amber: 0, green: 1, unbanded: 0 },
      { month: '2025-11', red: 0, amber: 1, green: 1, unbanded: 0 },
      { month: '2025-12', red: 0, amber: 1, green: 0, unbanded: 0 },
    ]);
    expect(cohort[1]?.byClass).toMatchObject({ PPO: 1, CuD: 1 });
    const flow = measures['recruitment-and-deselection'].months;
    expect(flow.map((month) => [month.adopted, month.deselected])).toEqual([
      [1, 0],
      [1, 0],
      [0, 0],
      [0, 1],
    ]);
    expect(flow[3]?.deselectedByReason.moved).toBe(1);
    expect(measures['band-movement'].months[2]).toEqual({ month: '2025-11', up: 0, down: 1, same: 0 });
  });

  it('compares arrests a year either side of adoption only where the record covers both years', () => {
    const covered = [
      entry('iom.subject.registered.v1', '2023-01-01T10:00:00Z'),
      arrested('2023-01-15T10:00:00Z'),
      arrested('2023-09-01T10:00:00Z'),
      adopted('2024-03-01T10:00:00Z'),
      arrested('2024-05-01T10:00:00Z'),
      arrested('2025-04-01T10:00:00Z'),
    ];
    const tooRecent = [
      entry('iom.subject.registered.v1', '2023-01-01T10:00:00Z'),
      adopted('2025-06-01T10:00:00Z'),
    ];
    const noHistory = [adopted('2023-02-01T10:00:00Z'), arrested('2023-03-01T10:00:00Z')];
    expect(
      measuresOf([covered, tooRecent, noHistory]).measures['arrests-before-and-after-adoption'],
    ).toMatchObject({
      people: 1,
      before: 1,
      after: 1,
    });
  });

  it('counts custody days of cohort members within each month, a stay across months split between them', () => {
    const { measures } = measuresOf([
      [adopted('2025-08-01T00:00:00Z'), received('2025-10-21T00:00:00Z'), released('2025-11-11T00:00:00Z')],
    ]);
    expect(measures['custody-days'].months.map((month) => month.days)).toEqual([0, 11, 10, 0]);
    expect(measures['custody-days'].total).toBe(21);
    expect(measures['cost-estimates'].custody).toBe(Math.round((21 / 365) * 37_648));
  });

  it('states accommodation on release by the method asked for: at the moment of release, or by a week after', () => {
    const timelines = [
      [
        housed('2025-10-01T00:00:00Z', 'NFA'),
        released('2025-10-10T09:00:00Z'),
        housed('2025-10-13T00:00:00Z', 'hostel'),
      ],
      [housed('2025-10-01T00:00:00Z', 'settled'), released('2025-11-02T09:00:00Z')],
    ];
    const latest = measuresOf(timelines).measures['accommodation-on-release'];
    expect(latest.method.version).toBe(latestVersion('accommodation-on-release'));
    expect(latest).toMatchObject({ releases: 2, housed: 2, share: 1 });
    const v1 = measuresOf(timelines, 4, { 'accommodation-on-release': 1 }).measures[
      'accommodation-on-release'
    ];
    expect(v1).toMatchObject({ method: { version: 1 }, releases: 2, housed: 1, share: 0.5 });
  });

  it('measures release to first benefit payment, and treatment starts retained twelve weeks', () => {
    const { measures } = measuresOf(
      [
        [
          released('2025-09-10T09:00:00Z'),
          entry('iom.benefits.changed.v1', '2025-09-20T00:00:00Z', {
            benefit: 'universal-credit',
            claimStatus: 'awarded',
            firstPaymentDate: '2025-10-08',
          }),
          entry('iom.treatment.started.v1', '2025-08-01T00:00:00Z', { modality: 'prescribing' }),
          entry('iom.treatment.started.v1', '2025-09-01T00:00:00Z', { modality: 'psychosocial' }),
          entry('iom.treatment.ended.v1', '2025-09-20T00:00:00Z', {
            modality: 'psychosocial',
            reason: 'dropped-out',
          }),
        ],
        [released('2025-11-01T09:00:00Z')],
      ],
      5,
    );
    expect(measures['release-to-first-benefit-payment']).toMatchObject({
      releases: 2,
      withPayment: 1,
      medianDays: 28,
      longestDays: 28,
    });
    expect(measures['treatment-starts-and-retention']).toMatchObject({ eligible: 2, retained: 1 });
    expect(measures['treatment-starts-and-retention'].months.map((month) => month.starts)).toEqual([
      1, 1, 0, 0, 0,
    ]);
  });

  it('ignores redacted entries', () => {
    const redacted = {
      ...adopted('2025-12-06T10:00:00Z'),
      redactedBy: { eventId: 'r', at: '2025-12-07T10:00:00Z' },
    };
    const { measures } = measuresOf([[scored('2025-12-05T10:00:00Z', 'red'), redacted]], 1);
    expect(measures['cohort-by-class-and-band'].months[0]).toMatchObject({ red: 0, unbanded: 0 });
    expect(measures['recruitment-and-deselection'].months[0]?.adopted).toBe(0);
  });

  it('writes one CSV row per figure, each naming its measure and method version', () => {
    const rows = measuresCsvRows(measuresOf([[adopted('2025-12-01T10:00:00Z')]], 1));
    expect(rows).toContainEqual(['recruitment-and-deselection', '1', '2025-12', 'adopted', '1']);
    expect(rows).toContainEqual(['accommodation-on-release', '2', '2025-12-01/2025-12-15', 'share', '']);
    expect(rows.every((row) => row.length === 5)).toBe(true);
  });

  it('refuses a method version that does not exist', () => {
    expect(() => measuresOf([], 1, { 'custody-days': 9 })).toThrow(/no method version 9/);
  });
});
