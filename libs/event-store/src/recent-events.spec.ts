import type { RecordedEvent } from './event-store';
import { RecentEvents } from './recent-events';

const at = (...positions: number[]): RecordedEvent[] =>
  positions.map(
    (position) =>
      ({
        id: `e${position}`,
        type: 'test.v1',
        streamId: 's',
        revision: position,
        position,
        data: {},
        metadata: {},
        recordedAt: new Date(0),
      }) satisfies RecordedEvent,
  );
const positions = (events: readonly RecordedEvent[] | undefined): number[] | undefined =>
  events?.map((event) => event.position);

describe('RecentEvents', () => {
  it('hands out what follows a position inside the stretch, up to the count asked for', () => {
    const recent = new RecentEvents(100);
    recent.add(10, at(11, 12, 14, 15));
    expect(positions(recent.take(10, 10))).toEqual([11, 12, 14, 15]);
    expect(positions(recent.take(12, 10))).toEqual([14, 15]);
    // A gap in positions (a rolled-back sequence value) is still inside the stretch.
    expect(positions(recent.take(13, 10))).toEqual([14, 15]);
    expect(positions(recent.take(11, 2))).toEqual([12, 14]);
    // At its end it holds nothing more; the caller reads on from there.
    expect(positions(recent.take(15, 10))).toEqual([]);
  });

  it('knows nothing before the stretch or beyond its end', () => {
    const recent = new RecentEvents(100);
    expect(recent.take(0, 10)).toEqual([]);
    recent.add(10, at(11, 12));
    expect(recent.take(9, 10)).toBeUndefined();
    expect(recent.take(13, 10)).toBeUndefined();
  });

  it('extends the stretch with a read that starts at its end, and starts afresh otherwise', () => {
    const recent = new RecentEvents(100);
    recent.add(0, at(1, 2));
    recent.add(2, at(3, 4));
    expect(positions(recent.take(0, 10))).toEqual([1, 2, 3, 4]);
    recent.add(7, at(8, 9));
    expect(recent.take(4, 10)).toBeUndefined();
    expect(positions(recent.take(7, 10))).toEqual([8, 9]);
  });

  it('keeps at most its limit, letting go of the oldest', () => {
    const recent = new RecentEvents(3);
    recent.add(0, at(1, 2, 3));
    recent.add(3, at(4, 5));
    expect(recent.take(1, 10)).toBeUndefined();
    expect(positions(recent.take(2, 10))).toEqual([3, 4, 5]);
  });
});
