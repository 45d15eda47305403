import { errorMessage, QuarantineBook } from './quarantine';

const AT = new Date('2026-01-05T09:00:00.000Z');
const poison = { id: 'e-7', position: 7, type: 'iom.consent.given.v1' };

describe('QuarantineBook', () => {
  it("holds a key for the batch at once, and for good only once the batch's commit is written", () => {
    const book = new QuarantineBook([], () => AT);
    book.hold('s-1', poison, new RangeError('Invalid time value'));
    expect(book.has('s-1')).toBe(true);
    expect(book.keys()).toEqual(['s-1']);
    expect(book.quarantines).toBe(0);
    expect([...book.changes]).toEqual([
      [
        's-1',
        {
          key: 's-1',
          eventId: 'e-7',
          position: 7,
          type: 'iom.consent.given.v1',
          error: 'Invalid time value',
          at: AT.toISOString(),
        },
      ],
    ]);

    book.committed();
    expect(book.has('s-1')).toBe(true);
    expect(book.quarantines).toBe(1);
    expect(book.changes.size).toBe(0);
  });

  it('forgets what an abandoned batch held, so the batch folded again holds it again', () => {
    const book = new QuarantineBook();
    book.hold('s-1', poison, new Error('boom'));
    book.abandoned();
    expect(book.has('s-1')).toBe(false);
    expect(book.quarantines).toBe(0);
  });

  it('releases a key held before, writing the release with the next commit', () => {
    const book = new QuarantineBook([
      { key: 's-1', eventId: 'e-7', position: 7, type: 't', error: 'boom', at: AT.toISOString() },
    ]);
    expect(book.has('s-1')).toBe(true);
    book.release('s-1');
    expect(book.has('s-1')).toBe(false);
    expect(book.keys()).toEqual([]);
    expect([...book.changes]).toEqual([['s-1', null]]);
    book.committed();
    expect(book.has('s-1')).toBe(false);
    // Releasing a key that is not held writes nothing.
    book.release('s-2');
    expect(book.changes.size).toBe(0);
  });

  it('counts a key held again with a new fault once, and keeps the latest fault', () => {
    const book = new QuarantineBook();
    book.hold('s-1', poison, new Error('first'));
    book.committed();
    book.hold('s-1', { ...poison, id: 'e-9', position: 9 }, new Error('second'));
    book.committed();
    expect(book.quarantines).toBe(1);
    expect(book.changes.size).toBe(0);
    expect(book.keys()).toEqual(['s-1']);
  });

  it('keeps error messages short and takes anything thrown', () => {
    expect(errorMessage(new Error('x'.repeat(2_000)))).toHaveLength(500);
    expect(errorMessage('plain')).toBe('plain');
  });
});
