import fc from 'fast-check';
import {
  ACCOMMODATION_STATUSES,
  CATALOGUE,
  CATALOGUE_EXAMPLES,
  type EventType,
  type PublishedEvent,
} from '@throughline/domain';
import { foldRecord, inEventTime, timelineOf } from './subject-view';

const SUBJECT = 's-event-time';

/** Every type but corrections and redactions, whose effect rests on arriving after their target. */
const TYPES = (Object.keys(CATALOGUE) as EventType[]).filter((type) => !type.startsWith('iom.record.'));

/** The example data, with the fields that make state conflict varied, so arrival order would show. */
function dataOf(type: EventType, variant: number): object {
  const example: object = CATALOGUE_EXAMPLES[type];
  switch (type) {
    case 'iom.accommodation.changed.v1':
      return { ...example, status: ACCOMMODATION_STATUSES[variant % ACCOMMODATION_STATUSES.length] };
    case 'iom.cohort.scored.v1':
      return { ...example, score: 10 * variant, band: (['red', 'amber', 'green'] as const)[variant % 3] };
    case 'iom.appointment.scheduled.v1':
    case 'iom.appointment.attended.v1':
    case 'iom.appointment.missed.v1':
      return { ...example, appointmentId: `APT-${variant}` };
    case 'iom.tasking.action-assigned.v1':
    case 'iom.tasking.action-completed.v1':
      return { ...example, actionId: `ACT-${variant}` };
    case 'iom.key-worker.assigned.v1':
      return { ...example, worker: `Worker ${variant}` };
    case 'iom.risk.assessed.v1':
      return { ...example, roshLevel: (['low', 'medium', 'high', 'very-high'] as const)[variant % 4] };
    default:
      return example;
  }
}

interface Happening {
  readonly type: EventType;
  readonly variant: number;
  readonly time: string;
  readonly ceId: string;
}

/** The events as the log holds them when they arrive in this order. */
const arriving = (order: readonly Happening[]): PublishedEvent[] =>
  order.map(({ type, variant, time, ceId }, index) => {
    const agency = (CATALOGUE[type].publishers === 'any' ? ['police'] : CATALOGUE[type].publishers)[0]!;
    const category = CATALOGUE[type].category;
    return {
      type,
      data: dataOf(type, variant),
      id: `e-${ceId}`,
      subjectId: SUBJECT,
      position: 1_000 + index,
      revision: index,
      meta: {
        agency,
        source: `urn:throughline:${agency}:spec`,
        ceId,
        time,
        subjectRef: SUBJECT,
        publishedBy: `${agency}-spec`,
        category: category === 'of-target' ? 'identity' : category,
      },
    } as unknown as PublishedEvent;
  });

const pictureOf = (order: readonly Happening[]) => foldRecord(SUBJECT, timelineOf(arriving(order)));

const START = Date.parse('2026-01-01T00:00:00Z');

/** A subject's events with distinct times, some written with an offset. */
const happenings = fc
  .array(fc.record({ type: fc.constantFrom(...TYPES), variant: fc.nat(5) }), { maxLength: 30 })
  .chain((kinds) =>
    fc
      .tuple(
        fc.uniqueArray(fc.integer({ min: 0, max: 500_000 }), {
          minLength: kinds.length,
          maxLength: kinds.length,
        }),
        fc.array(fc.boolean(), { minLength: kinds.length, maxLength: kinds.length }),
      )
      .map(([minutes, offsets]) =>
        kinds.map(({ type, variant }, index): Happening => {
          const instant = new Date(START + minutes[index]! * 60_000);
          // The same instant an hour ahead of UTC: event times compare as instants, not as text.
          const time = offsets[index]
            ? `${new Date(instant.getTime() + 3_600_000).toISOString().slice(0, 19)}+01:00`
            : instant.toISOString();
          return { type, variant, time, ceId: `ce-${index}` };
        }),
      ),
  );

describe('the picture folded by event time', () => {
  it('is the same whatever order a subject’s events (with distinct times) arrive in', () => {
    fc.assert(
      fc.property(
        happenings.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
          ),
        ),
        ([inTimeOrder, arrivalOrder]) => {
          const byTime = [...inTimeOrder].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
          expect(pictureOf(arrivalOrder)).toEqual(pictureOf(byTime));
        },
      ),
      { numRuns: 300 },
    );
  });

  const at = (time: string, status: string, ceId: string): Happening => ({
    type: 'iom.accommodation.changed.v1',
    variant: ACCOMMODATION_STATUSES.indexOf(status as never),
    time,
    ceId,
  });

  it('keeps a settled address from November when a backdated June entry arrives later', () => {
    const settled = at('2026-11-02T10:00:00Z', 'settled', 'nov');
    const roughSleeping = at('2026-06-10T10:00:00Z', 'rough-sleeping', 'jun');
    const record = pictureOf([settled, roughSleeping]);
    expect(record.accommodation).toEqual({
      status: 'settled',
      tenancyAtRisk: false,
      since: '2026-11-02T10:00:00Z',
    });
    expect(record.lastEvents.map((event) => event.id)).toEqual(['e-nov', 'e-jun']);
  });

  it('orders events at the same instant by log position', () => {
    const first = at('2026-06-10T10:00:00Z', 'hostel', 'one');
    const second = at('2026-06-10T11:00:00+01:00', 'settled', 'two');
    expect(pictureOf([first, second]).accommodation?.status).toBe('settled');
    expect(pictureOf([second, first]).accommodation?.status).toBe('hostel');
  });

  it('places a time no reader can read first, by log position', () => {
    const [unreadable, dated] = arriving([
      at('2026-06-10T10:00:00Z', 'hostel', 'one'),
      at('2026-06-10T10:00:00Z', 'settled', 'two'),
    ]);
    const lax = { ...unreadable!, meta: { ...unreadable!.meta, time: '2026-06-10 10:00' } } as PublishedEvent;
    expect(inEventTime([dated!, lax]).map((event) => event.meta.ceId)).toEqual(['one', 'two']);
  });
});
