import type { TimelineEntry } from '@throughline/subjects';
import { releasedDetail } from './releases';

let position = 0;
const entry = (
  agency: string,
  category: string,
  type: string,
  time: string,
  data: Record<string, unknown>,
  marks: Partial<Pick<TimelineEntry, 'redactedBy' | 'correctedBy'>> = {},
): TimelineEntry =>
  ({
    id: `e${++position}`,
    type,
    data,
    subjectId: 's',
    position,
    revision: position,
    meta: {
      agency,
      source: `urn:throughline:${agency}:test`,
      ceId: `c${position}`,
      time,
      subjectRef: 's',
      publishedBy: 't',
      category,
    },
    ...marks,
  }) as unknown as TimelineEntry;

const release = (agency: string, releaseId: string, categories: string[], extra: object = {}) =>
  entry(agency, 'cohort', 'iom.tasking.detail-released.v1', '2024-03-01T09:00:00Z', {
    releaseId,
    meeting: 'North tasking',
    categories,
    legalBasis: 'DPA 2018 Part 3 s.31',
    expires: '2024-04-01T00:00:00Z',
    ...extra,
  });
const withdrawal = (agency: string, releaseId: string) =>
  entry(agency, 'cohort', 'iom.tasking.detail-withdrawn.v1', '2024-03-02T09:00:00Z', { releaseId });

const NOW = '2024-03-15T12:00:00.000Z';
const breach = entry('probation', 'supervision', 'iom.breach.recorded.v1', '2024-02-10T10:00:00Z', {
  order: 'community',
  reason: 'missed appointments',
});
const homeVisit = entry('police', 'supervision', 'iom.home-visit.recorded.v1', '2024-02-11T10:00:00Z', {
  outcome: 'no-answer',
  by: 'pc-1',
});
const oldAppointment = entry(
  'probation',
  'supervision',
  'iom.appointment.missed.v1',
  '2023-12-01T10:00:00Z',
  { with: 'probation', purpose: 'supervision', at: '2023-12-01T10:00:00Z', acceptable: false },
);
const risk = entry('probation', 'risk', 'iom.risk.assessed.v1', '2024-02-12T10:00:00Z', { tool: 'OASys' });

describe('releasedDetail', () => {
  it("shows only the releasing agency's own events in the released categories", () => {
    const timeline = [oldAppointment, breach, homeVisit, risk, release('probation', 'R1', ['supervision'])];
    const [detail, ...others] = releasedDetail(timeline, NOW);
    expect(others).toEqual([]);
    expect(detail).toMatchObject({
      releaseId: 'R1',
      agency: 'probation',
      meeting: 'North tasking',
      legalBasis: 'DPA 2018 Part 3 s.31',
      categories: ['supervision'],
    });
    expect(detail!.events.map((event) => event.id)).toEqual([oldAppointment.id, breach.id]);
    expect(detail!.events[1]).toEqual({
      id: breach.id,
      position: breach.position,
      type: 'iom.breach.recorded.v1',
      time: '2024-02-10T10:00:00Z',
      category: 'supervision',
      data: { order: 'community', reason: 'missed appointments' },
    });
  });

  it('reaches only events from `from` on, and includes events recorded after the release', () => {
    const later = entry('probation', 'supervision', 'iom.breach.recorded.v1', '2024-03-05T10:00:00Z', {
      order: 'community',
      reason: 'curfew',
    });
    const timeline = [
      oldAppointment,
      breach,
      release('probation', 'R1', ['supervision'], { from: '2024-01-01' }),
      later,
    ];
    expect(releasedDetail(timeline, NOW)[0]!.events.map((event) => event.id)).toEqual([breach.id, later.id]);
  });

  it('ends at expiry, on withdrawal by the same agency, and when the release is redacted', () => {
    const live = release('probation', 'R1', ['supervision']);
    expect(releasedDetail([breach, live], '2024-04-01T00:00:00.000Z')).toEqual([]);
    expect(releasedDetail([breach, live, withdrawal('probation', 'R1')], NOW)).toEqual([]);
    // Another agency cannot withdraw what probation released.
    expect(releasedDetail([breach, live, withdrawal('police', 'R1')], NOW)).toHaveLength(1);
    const redacted = { ...live, data: {}, redactedBy: { eventId: 'x', at: NOW } } as unknown as TimelineEntry;
    expect(releasedDetail([breach, redacted], NOW)).toEqual([]);
  });

  it('lets a later release with the same id replace the earlier one', () => {
    const timeline = [
      breach,
      risk,
      release('probation', 'R1', ['supervision']),
      release('probation', 'R1', ['risk']),
    ];
    const [detail, ...others] = releasedDetail(timeline, NOW);
    expect(others).toEqual([]);
    expect(detail!.events.map((event) => event.id)).toEqual([risk.id]);
  });

  it('leaves out redacted events and shows corrected data as corrected', () => {
    const corrected = {
      ...breach,
      data: { order: 'suspended', reason: 'missed appointments' },
      correctedBy: { eventId: 'c', at: NOW },
    } as unknown as TimelineEntry;
    const redacted = {
      ...oldAppointment,
      data: {},
      redactedBy: { eventId: 'r', at: NOW },
    } as unknown as TimelineEntry;
    const [detail] = releasedDetail([redacted, corrected, release('probation', 'R1', ['supervision'])], NOW);
    expect(detail!.events).toEqual([expect.objectContaining({ id: breach.id, data: corrected.data })]);
  });

  // Stored events outlive the checks they passed: what cannot be read grants nothing, and never throws.
  it('treats a release whose expiry names no instant as ended, and one whose start names none as reaching nothing', () => {
    for (const expires of ['20990101', '2026-W01-1', '', 42]) {
      expect(releasedDetail([breach, release('probation', 'R1', ['supervision'], { expires })], NOW)).toEqual(
        [],
      );
    }
    const [detail] = releasedDetail(
      [breach, release('probation', 'R1', ['supervision'], { from: '2024-W01' })],
      NOW,
    );
    expect(detail!.events).toEqual([]);
  });
});
