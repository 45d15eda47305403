import { DuplicateEventError, IdentifierTakenError, WrongExpectedRevisionError } from '../errors';
import type { AppendRequest, EventToAppend } from '../event-store';
import { planStreamWrites, type StreamTail } from './stream-writes';

const event = (id: string): EventToAppend => ({ id, type: 'Recorded', data: null, metadata: {} });
const tail = (revision: number, ...storedIds: string[]): StreamTail => ({
  revision,
  storedIds: new Set(storedIds),
});
const tails = new Map<string, StreamTail>([
  ['existing', tail(4)],
  ['partly-written', tail(1, 'a1', 'a2')],
]);

function refusal(requests: readonly AppendRequest[], read = tails): unknown {
  try {
    planStreamWrites(requests, read);
  } catch (error) {
    return error;
  }
  throw new Error('Expected the plan to be refused');
}

describe('planStreamWrites', () => {
  it('turns every expected revision into the exact revision the stream was read at', () => {
    const { writes } = planStreamWrites(
      [
        { streamId: 'existing', expectedRevision: 'any', events: [event('a')] },
        { streamId: 'new', expectedRevision: 'any', events: [event('b'), event('c')] },
        { streamId: 'existing', expectedRevision: 'stream_exists', events: [event('d')] },
        { streamId: 'other', expectedRevision: 'no_stream', events: [event('e')] },
      ],
      tails,
    );

    expect(writes.map((w) => [w.streamId, w.afterRevision, w.nextExpectedRevision])).toEqual([
      ['existing', 4, 5],
      ['new', -1, 1],
      // The second request on a stream goes after the first one's events.
      ['existing', 5, 6],
      ['other', -1, 0],
    ]);
    expect(writes[1]!.events.map((e) => e.id)).toEqual(['b', 'c']);
  });

  it('keeps a request without events as a check that writes nothing', () => {
    const { writes } = planStreamWrites([{ streamId: 'existing', expectedRevision: 4, events: [] }], tails);

    expect(writes).toEqual([{ streamId: 'existing', afterRevision: 4, events: [], nextExpectedRevision: 4 }]);
  });

  it('refuses the whole call, naming every id its streams already hold, before any stream is written', () => {
    const error = refusal([
      { streamId: 'new', expectedRevision: 'any', events: [event('fresh')] },
      {
        streamId: 'partly-written',
        expectedRevision: 'any',
        events: [event('a1'), event('a3'), event('a2')],
      },
    ]);

    expect(error).toBeInstanceOf(DuplicateEventError);
    expect((error as DuplicateEventError).eventIds).toEqual(['a1', 'a2']);
  });

  it('looks for an id only in the stream it is sent to, as KurrentDB keeps ids per stream', () => {
    const { writes } = planStreamWrites(
      [{ streamId: 'existing', expectedRevision: 'any', events: [event('a1')] }],
      tails,
    );

    expect(writes.map((w) => w.afterRevision)).toEqual([4]);
  });

  it('refuses a conflict anywhere in the call as one found before writing', () => {
    const error = refusal([
      { streamId: 'new', expectedRevision: 'no_stream', events: [event('x')] },
      { streamId: 'existing', expectedRevision: 3, events: [event('y')] },
    ]);

    expect(error).toBeInstanceOf(WrongExpectedRevisionError);
    expect(error).toMatchObject({ streamId: 'existing', expected: 3, actual: 4 });
  });

  it('checks expected revisions before stored ids, as the transactional stores do', () => {
    const error = refusal([
      { streamId: 'partly-written', expectedRevision: 'no_stream', events: [event('a1')] },
    ]);

    expect(error).toMatchObject({ name: 'WrongExpectedRevisionError', actual: 1 });
  });

  it('planned again against a stream another writer has reached, writes after it or is refused', () => {
    const retry = { streamId: 'new', expectedRevision: 'any' as const, events: [event('b')] };
    const exact = { streamId: 'new', expectedRevision: -1, events: [event('b')] };
    const now = new Map([['new', tail(2)]]);

    expect(planStreamWrites([retry], now).writes[0]).toMatchObject({
      afterRevision: 2,
      nextExpectedRevision: 3,
    });
    expect(refusal([exact], now)).toMatchObject({ name: 'WrongExpectedRevisionError', actual: 2 });
    // The other writer was a copy of this call: the events are there now, so nothing is written.
    expect(refusal([retry], new Map([['new', tail(0, 'b')]]))).toBeInstanceOf(DuplicateEventError);
  });

  it('gives each identifier claimed once, and refuses two owners of one in the call', () => {
    const claim = (identifier: string, owner: string) => ({ identifier, owner, eventId: owner });
    const { claims } = planStreamWrites(
      [
        { streamId: 's1', expectedRevision: 'any', events: [event('r1')], claims: [claim('pnc:1', 's1')] },
        { streamId: 's1', expectedRevision: 'any', events: [event('r2')], claims: [claim('pnc:1', 's1')] },
      ],
      tails,
    );

    expect(claims.map((c) => c.identifier)).toEqual(['pnc:1']);
    expect(
      refusal([
        { streamId: 's1', expectedRevision: 'any', events: [event('r1')], claims: [claim('pnc:1', 's1')] },
        { streamId: 's2', expectedRevision: 'any', events: [event('r2')], claims: [claim('pnc:1', 's2')] },
      ]),
    ).toBeInstanceOf(IdentifierTakenError);
  });
});
