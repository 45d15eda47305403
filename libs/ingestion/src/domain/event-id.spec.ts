import { partnershipIdFor, storedEventId, uuidFromName } from './event-id';

describe('stored event ids', () => {
  // Idempotency across versions rests on these never changing: a resubmission after an upgrade
  // must map to the id its first submission was stored under.
  it.each([
    ['urn:throughline:police:custody', 'A-1', '27888a56-cc69-5d1c-9ea0-d15577e09680'],
    ['urn:throughline:probation:delius', 'résumé-✓-😀', '8fc00586-6d23-55bf-85af-3b0d3a02437e'],
    ['urn:x', 'é'.repeat(1500), '3ecf3889-7516-59ea-b4e7-bf30f5375198'],
  ])('maps (%s, %s) to the id it has always had', (source, id, stored) => {
    expect(storedEventId(source, id)).toBe(stored);
  });

  it('gives a registered subject the partnership id it has always had', () => {
    expect(partnershipIdFor('27888a56-cc69-5d1c-9ea0-d15577e09680')).toBe(
      '749ec7b0-1e82-594e-afc5-8d53e7820ed2',
    );
  });

  it('hashes a short name correctly after a long one', () => {
    const short = storedEventId('urn:throughline:police:custody', 'A-1');
    uuidFromName('x'.repeat(10_000));
    expect(storedEventId('urn:throughline:police:custody', 'A-1')).toBe(short);
  });

  it('makes version 5, variant 1 UUIDs', () => {
    expect(uuidFromName('anything')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
  });
});
