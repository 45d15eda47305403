import type { TimelineEntry } from '@throughline/subjects';
import { cohortMetrics } from './cohort-metrics';

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
const adopted = (time: string) => entry('iom.cohort.adopted.v1', time);
const deselected = (time: string) => entry('iom.cohort.deselected.v1', time, { reason: 'progress' });
const arrested = (time: string) => entry('iom.arrest.recorded.v1', time, { arrestedAt: time, offence: 'x' });

describe('cohort metrics', () => {
  const now = new Date('2025-12-15T12:00:00Z');

  it('counts people in the cohort at each month end by their band then, and the flow in and out', () => {
    const metrics = cohortMetrics(
      [
        [
          scored('2025-01-05T10:00:00Z', 'red'),
          adopted('2025-01-06T10:00:00Z'),
          scored('2025-03-02T10:00:00Z', 'amber'),
        ],
        [
          adopted('2025-02-10T10:00:00Z'),
          scored('2025-02-11T10:00:00Z', 'green'),
          deselected('2025-04-01T10:00:00Z'),
        ],
      ],
      now,
      4,
    );
    expect(metrics.months).toEqual([
      { month: '2025-01', red: 1, amber: 0, green: 0, unbanded: 0, adopted: 1, deselected: 0 },
      { month: '2025-02', red: 1, amber: 0, green: 1, unbanded: 0, adopted: 1, deselected: 0 },
      { month: '2025-03', red: 0, amber: 1, green: 1, unbanded: 0, adopted: 0, deselected: 0 },
      { month: '2025-04', red: 0, amber: 1, green: 0, unbanded: 0, adopted: 0, deselected: 1 },
    ]);
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
    expect(cohortMetrics([covered, tooRecent, noHistory], now).arrests).toEqual({
      people: 1,
      before: 1,
      after: 1,
    });
  });

  it('ignores redacted entries', () => {
    const redacted = {
      ...adopted('2025-01-06T10:00:00Z'),
      redactedBy: { eventId: 'r', at: '2025-01-07T10:00:00Z' },
    };
    const metrics = cohortMetrics([[scored('2025-01-05T10:00:00Z', 'red'), redacted]], now, 1);
    expect(metrics.months).toEqual([
      { month: '2025-01', red: 0, amber: 0, green: 0, unbanded: 0, adopted: 0, deselected: 0 },
    ]);
  });

  it('leaves out of the counts a timeline whose data no check foresaw, and counts the rest', () => {
    const broken = { ...scored('2025-01-05T10:00:00Z', 'red'), data: null } as unknown as TimelineEntry;
    const metrics = cohortMetrics(
      [
        [adopted('2025-01-06T10:00:00Z'), broken],
        [scored('2025-01-05T10:00:00Z', 'red'), adopted('2025-01-06T10:00:00Z')],
      ],
      now,
      1,
    );
    expect(metrics.months).toEqual([
      { month: '2025-01', red: 1, amber: 0, green: 0, unbanded: 0, adopted: 1, deselected: 0 },
    ]);
  });
});
