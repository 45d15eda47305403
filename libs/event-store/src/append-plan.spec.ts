import { planAppend, planClaims } from './append-plan';
import { DuplicateEventError, IdentifierTakenError, WrongExpectedRevisionError } from './errors';
import type { EventToAppend } from './event-store';

const event = (id: string): EventToAppend => ({ id, type: 'Recorded', data: null, metadata: {} });
const stored: Record<string, number> = { existing: 4 };
const current = (streamId: string): number => stored[streamId] ?? -1;

describe('planAppend', () => {
  it('numbers events per stream, carrying revisions from one request to the next', () => {
    const plan = planAppend(
      [
        { streamId: 'new', expectedRevision: 'no_stream', events: [event('a'), event('b')] },
        { streamId: 'existing', expectedRevision: 4, events: [event('c')] },
        { streamId: 'new', expectedRevision: 1, events: [event('d')] },
      ],
      current,
    );

    expect(plan.events.map((e) => [e.event.id, e.streamId, e.revision])).toEqual([
      ['a', 'new', 0],
      ['b', 'new', 1],
      ['c', 'existing', 5],
      ['d', 'new', 2],
    ]);
    expect([...plan.streamRevisions]).toEqual([
      ['new', 2],
      ['existing', 5],
    ]);
    expect(plan.requests.map((r) => r.nextExpectedRevision)).toEqual([1, 5, 2]);
  });

  it('leaves a stream untouched by a request without events', () => {
    const plan = planAppend([{ streamId: 'missing', expectedRevision: 'no_stream', events: [] }], current);

    expect(plan.streamRevisions.size).toBe(0);
    expect(plan.requests[0]?.nextExpectedRevision).toBe(-1);
  });

  it('refuses a conflict in any request with the revision the stream had at that point', () => {
    const plan = (): unknown =>
      planAppend(
        [
          { streamId: 'new', expectedRevision: 'any', events: [event('a')] },
          { streamId: 'new', expectedRevision: 'no_stream', events: [event('b')] },
        ],
        current,
      );

    expect(plan).toThrow(WrongExpectedRevisionError);
    expect(plan).toThrow('expected revision no_stream, actual 0');
  });

  it('names every id repeated within the call', () => {
    const plan = (): unknown =>
      planAppend(
        [
          { streamId: 'x', expectedRevision: 'any', events: [event('a'), event('b')] },
          { streamId: 'y', expectedRevision: 'any', events: [event('b'), event('a')] },
        ],
        current,
      );

    expect(plan).toThrow(DuplicateEventError);
    expect(plan).toThrow('Event id already stored: b, a');
  });
});

describe('planClaims', () => {
  const claim = (identifier: string, owner: string) => ({ identifier, owner, eventId: `${owner}-event` });

  it('keeps each identifier once, as its first claim, whichever request of the call claims it again', () => {
    const claims = planClaims([
      {
        streamId: 'x',
        expectedRevision: 'any',
        events: [],
        claims: [claim('pnc:1', 's'), claim('crn:2', 's')],
      },
      {
        streamId: 'x',
        expectedRevision: 'any',
        events: [],
        claims: [{ ...claim('pnc:1', 's'), eventId: 'later' }],
      },
      { streamId: 'y', expectedRevision: 'any', events: [] },
    ]);

    expect(claims).toEqual([claim('pnc:1', 's'), claim('crn:2', 's')]);
  });

  it('refuses a second owner claiming an identifier in the same call, naming the first', () => {
    const plan = (): unknown =>
      planClaims([
        { streamId: 'x', expectedRevision: 'any', events: [], claims: [claim('pnc:1', 's')] },
        { streamId: 'y', expectedRevision: 'any', events: [], claims: [claim('pnc:1', 't')] },
      ]);

    expect(plan).toThrow(new IdentifierTakenError('pnc:1', 's'));
  });
});
