import { CATALOGUE_EXAMPLES, type EventMeta, type TimelineEntry } from '@throughline/domain';
import { isKeyWorker, type Notification, notificationOf, pageOf } from './inbox';

const SUBJECT = '0b7c5a56-1f0e-5b39-9f3e-2b4f8f6d1c11';

const entry = (
  type: keyof typeof CATALOGUE_EXAMPLES,
  position: number,
  options: { agency?: string; category?: EventMeta['category']; time?: string; data?: object } = {},
): TimelineEntry =>
  ({
    type,
    data: options.data ?? CATALOGUE_EXAMPLES[type],
    id: `evt-${position}`,
    subjectId: SUBJECT,
    position,
    revision: position,
    recordedAt: '2025-03-01T11:05:00Z',
    meta: {
      agency: options.agency ?? 'police',
      source: 'urn:throughline:police:system',
      ceId: `ce-${position}`,
      time: options.time ?? '2025-03-01T11:00:00Z',
      subjectRef: 'pnc:x',
      publishedBy: 's',
      category: options.category ?? 'offending',
    },
  }) as TimelineEntry;

const identity = { givenName: 'Ada', familyName: 'Brook' };

describe('notificationOf', () => {
  it('makes a notification of each alerting kind, named only where the name is served', () => {
    const arrest = notificationOf({
      entry: entry('iom.arrest.recorded.v1', 7),
      identity,
      yours: true,
      read: false,
    })!;
    expect(arrest).toMatchObject({
      eventId: 'evt-7',
      position: 7,
      subjectId: SUBJECT,
      name: 'Ada Brook',
      kind: 'arrest',
      publisher: 'police',
      recordedAt: '2025-03-01T11:05:00Z',
      notice: null,
      yours: true,
      read: false,
    });
    expect(
      notificationOf({ entry: entry('iom.arrest.recorded.v1', 7), identity: null, yours: false, read: true })!
        .name,
    ).toBeNull();
  });

  it('makes none of a kind nobody is alerted to, nor of a redacted or erased entry', () => {
    expect(
      notificationOf({ entry: entry('iom.subject.registered.v1', 1), identity, yours: false, read: false }),
    ).toBeUndefined();
    const redacted = {
      ...entry('iom.arrest.recorded.v1', 2),
      redactedBy: { eventId: 'r', at: '2025-03-02T00:00:00Z' },
    };
    expect(notificationOf({ entry: redacted, identity, yours: false, read: false })).toBeUndefined();
    const erased = {
      ...entry('iom.arrest.recorded.v1', 3),
      erasedBy: { eventId: 'e', at: '2025-03-02T00:00:00Z' },
    };
    expect(notificationOf({ entry: erased, identity, yours: false, read: false })).toBeUndefined();
  });

  it('flags a planned release under 28 days after the notice, and says nothing of notice when the date is withheld', () => {
    const planned = (date: string) =>
      entry('iom.release.planned.v1', 9, {
        agency: 'prison',
        category: 'custody',
        data: { date, type: 'CRD', addressKnown: false },
      });
    expect(
      notificationOf({ entry: planned('2025-03-28'), identity, yours: false, read: false })!.notice,
    ).toEqual({ days: 27, short: true });
    expect(
      notificationOf({ entry: planned('2025-03-29'), identity, yours: false, read: false })!.notice,
    ).toEqual({ days: 28, short: false });
    const cut = entry('iom.release.planned.v1', 9, {
      agency: 'prison',
      category: 'custody',
      data: { type: 'CRD' },
    });
    expect(notificationOf({ entry: cut, identity, yours: false, read: false })!.notice).toBeNull();
  });
});

describe('isKeyWorker', () => {
  const assigned = (
    position: number,
    user: string | undefined,
    agency = 'police',
    time = '2025-03-01T11:00:00Z',
  ) =>
    entry('iom.key-worker.assigned.v1', position, {
      category: 'cohort',
      time,
      data: { agency, worker: 'A Worker', contact: '0', ...(user ? { user } : {}) },
    });

  it('holds for the user the latest assignment for their agency names', () => {
    expect(isKeyWorker([assigned(1, 'pc-1')], 'police', 'pc-1')).toBe(true);
    expect(isKeyWorker([assigned(1, 'pc-1')], 'police', 'pc-2')).toBe(false);
    expect(isKeyWorker([assigned(1, 'pc-1')], 'probation', 'pc-1')).toBe(false);
  });

  it('is ended by a later assignment to someone else, or to a worker named only by name', () => {
    expect(
      isKeyWorker(
        [assigned(1, 'pc-1'), assigned(2, 'pc-2', 'police', '2025-03-02T00:00:00Z')],
        'police',
        'pc-1',
      ),
    ).toBe(false);
    expect(
      isKeyWorker(
        [assigned(1, 'pc-1'), assigned(2, undefined, 'police', '2025-03-02T00:00:00Z')],
        'police',
        'pc-1',
      ),
    ).toBe(false);
    // Another agency's assignment leaves the police one standing.
    expect(
      isKeyWorker(
        [assigned(1, 'pc-1'), assigned(2, 'om-1', 'probation', '2025-03-02T00:00:00Z')],
        'police',
        'pc-1',
      ),
    ).toBe(true);
  });

  it('goes by when the assignment happened, not when it was recorded: a backdated one does not replace a newer one', () => {
    const newer = assigned(1, 'pc-1', 'police', '2025-03-05T00:00:00Z');
    const backdated = assigned(2, 'pc-2', 'police', '2025-02-01T00:00:00Z');
    expect(isKeyWorker([newer, backdated], 'police', 'pc-1')).toBe(true);
  });
});

describe('pageOf', () => {
  const item = (position: number, read = false, yours = false): Notification => ({
    ...notificationOf({ entry: entry('iom.arrest.recorded.v1', position), identity, yours, read })!,
  });

  it('pages newest first, resuming before the last served, counting every unread', () => {
    const all = [item(3), item(10, true), item(7), item(1), item(5, true)];
    const first = pageOf(all, { limit: 2 });
    expect(first.notifications.map((n) => n.position)).toEqual([10, 7]);
    expect(first.nextBefore).toBe(7);
    expect(first.unread).toBe(3);
    const second = pageOf(all, { limit: 2, before: 7 });
    expect(second.notifications.map((n) => n.position)).toEqual([5, 3]);
    const last = pageOf(all, { limit: 2, before: 3 });
    expect(last.notifications.map((n) => n.position)).toEqual([1]);
    expect(last.nextBefore).toBeNull();
  });

  it('repeats none and skips none when a notification arrives between pages', () => {
    const before = [item(4), item(3), item(2), item(1)];
    const first = pageOf(before, { limit: 2 });
    const after = pageOf([item(9), ...before], { limit: 2, before: first.nextBefore! });
    expect([...first.notifications, ...after.notifications].map((n) => n.position)).toEqual([4, 3, 2, 1]);
  });

  it('shows only the unread, or only the reader’s own people, when asked', () => {
    const all = [item(3, false, true), item(2, true, true), item(1, false, false)];
    expect(pageOf(all, { limit: 10, unreadOnly: true }).notifications.map((n) => n.position)).toEqual([3, 1]);
    expect(pageOf(all, { limit: 10, yoursOnly: true }).notifications.map((n) => n.position)).toEqual([3, 2]);
  });
});
