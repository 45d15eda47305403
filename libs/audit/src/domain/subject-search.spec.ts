import { type PublishedEvent, timelineOf } from '@throughline/domain';
import { identityOf, matches, parseSubjectSearch, searchedBy } from './subject-search';

const SUBJECT = '5b1f0e0c-0000-4000-8000-000000000001';
let position = 0;

/** A police event on the subject, next in its stream. */
const event = (type: string, data: Record<string, unknown>, ceId = `ce-${position + 1}`): PublishedEvent =>
  ({
    type,
    data,
    id: `id-${++position}`,
    subjectId: SUBJECT,
    position,
    revision: position - 1,
    meta: {
      agency: 'police',
      source: 'urn:throughline:police:custody',
      ceId,
      time: '2025-01-06T09:00:00Z',
      subjectRef: 'pnc:2001/0000001Q',
      publishedBy: 'custody',
      category: 'identity',
    },
  }) as unknown as PublishedEvent;

const registered = (familyName: string, dateOfBirth = '1990-04-12') =>
  event(
    'iom.subject.registered.v1',
    { givenName: 'Sam', familyName, dateOfBirth, identifiers: [] },
    `reg-${familyName}`,
  );

describe('parsing a search for a person', () => {
  it.each([
    [{ identifier: 'pnc:2001/0000001Q' }, ['pnc']],
    [{ identifier: ` ${SUBJECT.toUpperCase()} ` }, ['partnershipId']],
    [{ familyName: 'Carter', dateOfBirth: '1990-04-12' }, ['familyName', 'dateOfBirth']],
    [
      { familyName: 'Carter', givenName: 'Sam', dateOfBirth: '1990-04-12' },
      ['familyName', 'givenName', 'dateOfBirth'],
    ],
    [{ familyName: 'Carter', givenName: ' ', dateOfBirth: '1990-04-12' }, ['familyName', 'dateOfBirth']],
  ])('reads %j as a search by %j', (query, by) => {
    const parsed = parseSubjectSearch(query, 'partnership');
    if (!parsed.ok) throw new Error(parsed.reason);
    expect(searchedBy(parsed.search)).toEqual(by);
  });

  it.each([
    [{}, 'give an identifier'],
    [{ familyName: 'Carter' }, 'give an identifier'],
    [{ dateOfBirth: '1990-04-12' }, 'give an identifier'],
    [{ familyName: 'Carter', dateOfBirth: '12/04/1990' }, 'dateOfBirth must be a date'],
    [{ familyName: 'Carter', dateOfBirth: '1990-02-30' }, 'dateOfBirth must be a date'],
    [{ familyName: 'C'.repeat(101), dateOfBirth: '1990-04-12' }, 'at most 100'],
    [{ identifier: 'passport:1' }, 'unknown identifier scheme'],
    [{ identifier: 'pnc:' }, 'is not a PNC id'],
    [{ identifier: 'pnc:2001/0000001A' }, 'the check letter does not match'],
    [{ identifier: 'pnc:1', familyName: 'Carter' }, 'not both'],
  ])('refuses %j: %s', (query, reason) => {
    const parsed = parseSubjectSearch(query, 'partnership');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(reason);
  });
});

describe('matching a person found against the search', () => {
  const search = (query: Record<string, string>) => {
    const parsed = parseSubjectSearch(query, 'partnership');
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.search;
  };

  it('matches a family name whatever its case, and a given name when one is asked for', () => {
    const person = identityOf(SUBJECT, timelineOf([registered('Carter')]), ['pnc:2001/0000001Q']);
    expect(matches(search({ familyName: 'CARTER', dateOfBirth: '1990-04-12' }), person)).toBe(true);
    expect(
      matches(search({ familyName: 'carter', givenName: 'sam', dateOfBirth: '1990-04-12' }), person),
    ).toBe(true);
    expect(
      matches(search({ familyName: 'Carter', givenName: 'Alex', dateOfBirth: '1990-04-12' }), person),
    ).toBe(false);
    expect(matches(search({ familyName: 'Carter', dateOfBirth: '1990-04-13' }), person)).toBe(false);
    expect(matches(search({ familyName: 'Carver', dateOfBirth: '1990-04-12' }), person)).toBe(false);
  });

  it('goes by the registration as corrected, and finds no name in a redacted one', () => {
    const registration = registered('Cartre', '1991-01-01');
    const corrected = timelineOf([
      registration,
      event('iom.record.corrected.v1', {
        targetEventId: registration.meta.ceId,
        reason: 'Typing error',
        replacement: { ...registration.data, familyName: 'Carter', dateOfBirth: '1990-04-12' },
      }),
    ]);
    const person = identityOf(SUBJECT, corrected, []);
    expect(person).toMatchObject({ familyName: 'Carter', dateOfBirth: '1990-04-12' });
    expect(matches(search({ familyName: 'Carter', dateOfBirth: '1990-04-12' }), person)).toBe(true);
    expect(matches(search({ familyName: 'Cartre', dateOfBirth: '1991-01-01' }), person)).toBe(false);

    const withdrawn = registered('Hollins');
    const redacted = identityOf(
      SUBJECT,
      timelineOf([
        withdrawn,
        event('iom.record.redacted.v1', { targetEventId: withdrawn.meta.ceId, reason: 'Wrong person' }),
      ]),
      ['pnc:2001/0000001Q'],
    );
    expect(redacted).toMatchObject({ familyName: null, givenName: null, dateOfBirth: null });
    expect(matches(search({ familyName: 'Hollins', dateOfBirth: '1990-04-12' }), redacted)).toBe(false);
    expect(matches(search({ identifier: 'pnc:2001/0000001Q' }), redacted)).toBe(true);
  });
});
