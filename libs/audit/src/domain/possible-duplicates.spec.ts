import { comparableIdentifierValue, comparableName, possibleDuplicates } from './possible-duplicates';
import type { SubjectFound } from './subject-search';

const person = (subjectId: string, over: Partial<SubjectFound> = {}): SubjectFound => ({
  subjectId,
  givenName: 'Siobhán',
  familyName: "O'Neill-Kerr",
  dateOfBirth: '1990-04-12',
  identifiers: [],
  ...over,
});

describe('possible duplicates', () => {
  it('compares names without accents, case, spaces, hyphens or apostrophes', () => {
    expect(comparableName("O'Neill-Kerr")).toBe(comparableName('oneill kerr'));
    expect(comparableName('Siobhán')).toBe('siobhan');
    expect(comparableName('Siobhan')).not.toBe(comparableName('Siobhain'));
  });

  it('compares identifier values across schemes and local namespaces', () => {
    expect(comparableIdentifierValue('nomis:A1234BC')).toBe(
      comparableIdentifierValue('local:housing/a1234bc'),
    );
    expect(comparableIdentifierValue('nhs:9434765919')).toBe('9434765919');
  });

  it('pairs records of one name and date of birth, or a value in common, and names each reason once', () => {
    const found = possibleDuplicates(
      [
        person('a', { identifiers: ['nomis:A1234BC'] }),
        person('b', {
          givenName: 'SIOBHAN',
          familyName: 'ONeill Kerr',
          identifiers: ['local:housing/A1234BC'],
        }),
        person('c', { dateOfBirth: '1990-04-13' }),
        person('d', { givenName: 'Other', identifiers: ['crn:X123456'] }),
        person('e', { givenName: 'Else', familyName: 'Entirely', identifiers: ['local:police/X123456'] }),
      ],
      () => false,
    );
    expect(found.map((pair) => [pair.records.map((r) => r.subjectId), pair.reasons])).toEqual([
      [
        ['a', 'b'],
        ['identifier', 'name-and-birth'],
      ],
      [['d', 'e'], ['identifier']],
    ]);
  });

  it('leaves out records already put together, and a record with itself', () => {
    const found = possibleDuplicates([person('a'), person('b'), person('a')], (x, y) => x !== y);
    expect(found).toEqual([]);
  });
});
