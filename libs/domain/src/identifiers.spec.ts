import {
  DEFAULT_ISSUING_AGENCIES,
  formatIdentifier,
  identifierClaimRefusal,
  identifiersLinkedBy,
  identifierValuePattern,
  type IdentifierScheme,
  IDENTIFIER_SCHEMES,
  normaliseIdentifier,
  parseSubjectReference,
  SUBJECT_REFERENCE_PATTERN,
} from './identifiers';

const canonical = (scheme: IdentifierScheme, value: string, agency = 'police'): string | undefined => {
  const result = normaliseIdentifier(scheme, value, agency);
  return result.ok ? result.value.value : undefined;
};

const reason = (scheme: IdentifierScheme, value: string): string | undefined => {
  const result = normaliseIdentifier(scheme, value, 'police');
  return result.ok ? undefined : result.reason;
};

describe('PNC ids', () => {
  // Published examples: the Ministry of Justice person record service's PNC tests (valid ids, their
  // short forms, and the same ids with a wrong check letter).
  it.each([
    '2008/0056560Z',
    '2003/0011985X',
    '2012/0052494Q',
    '2023/0583843L',
    '2001/0171310W',
    '2011/0275516Q',
    '2003/0062845E',
    '1981/0154257C',
  ])('takes %s, already canonical', (id) => {
    expect(canonical('pnc', id)).toBe(id);
  });

  it.each([
    ['81/34U', '1981/0000034U'],
    ['02/73319Z', '2002/0073319Z'],
    ['00/223R', '2000/0000223R'],
    ['79/163001B', '1979/0163001B'],
    ['2002/73319z', '2002/0073319Z'],
    [' 2009/0123456c ', '2009/0123456C'],
    ['09/123456C', '2009/0123456C'],
    ['69/1A', '2069/0000001A'],
    ['70/1Q', '1970/0000001Q'],
  ])('reads %s as %s', (typed, id) => {
    expect(canonical('pnc', typed)).toBe(id);
  });

  it.each(['2003/0011985Z', '2012/0052494O', '2023/0583843N', '2001/0171310S', '2020/0012890X'])(
    'refuses %s: its check letter is wrong',
    (id) => {
      expect(reason('pnc', id)).toBe('is not a PNC id: the check letter does not match the year and serial');
    },
  );

  it.each([
    'hello-world',
    '2020/12345678A',
    '1X23/1234567A',
    '1923[1234567A',
    '1923/1Z34567A',
    '1923/1234567AA',
    '20030011985X',
    '123/1A',
    '1823/0000001A',
    '2020/',
    '2020/0012890 X',
  ])('refuses %s, naming the form', (id) => {
    expect(reason('pnc', id)).toMatch(/^is not a PNC id: a PNC id is the year \(YY or YYYY\)/);
  });
});

describe('NHS numbers', () => {
  // 943 476 5919 is the NHS's own example; 401 023 2137 is used in NHS Digital's test data.
  it.each([
    ['9434765919', '9434765919'],
    ['943 476 5919', '9434765919'],
    ['943-476-5919', '9434765919'],
    ['4010232137', '4010232137'],
    [' 401 023 2137 ', '4010232137'],
  ])('reads %s as %s', (typed, number) => {
    expect(canonical('nhs', typed)).toBe(number);
  });

  it('refuses a wrong check digit, and first nine digits whose check digit would be 10', () => {
    expect(reason('nhs', '9434765918')).toBe(
      'is not an NHS number: the check digit does not match the first nine digits',
    );
    expect(reason('nhs', '1000000010')).toBe(
      'is not an NHS number: the check digit does not match the first nine digits',
    );
  });

  it.each(['banana', '943476591', '94347659190', '943  476 5919', '943 476 591X', '943.476.5919'])(
    'refuses %s, naming the form',
    (number) => {
      expect(reason('nhs', number)).toMatch(/^is not an NHS number: an NHS number is 10 digits/);
    },
  );
});

describe('CRNs and prison numbers', () => {
  it('takes a letter and six digits as a CRN, upper-cased', () => {
    expect(canonical('crn', 'X123456')).toBe('X123456');
    expect(canonical('crn', 'x123456 ')).toBe('X123456');
    for (const bad of ['X12345', 'X1234567', '1234567', 'XX23456', 'X12345A'])
      expect(reason('crn', bad)).toMatch(
        /^is not a CRN: a CRN \(probation case reference\) is a letter and 6 digits/,
      );
  });

  it('takes a letter, four digits and two letters as a prison number, upper-cased', () => {
    expect(canonical('nomis', 'A1234BC')).toBe('A1234BC');
    expect(canonical('nomis', 'g1234ab')).toBe('G1234AB');
    for (const bad of ['A1234B', 'A12345BC', '11234BC', 'A1234B1', 'AB1234C'])
      expect(reason('nomis', bad)).toMatch(
        /^is not a prison number: a prison \(NOMIS\) number is a letter, 4 digits/,
      );
  });
});

describe('local identifiers', () => {
  it('are free form, trimmed, kept in the namespace of the agency that sends them', () => {
    expect(canonical('local', ' HSG-000123 ', 'housing')).toBe('housing/HSG-000123');
    expect(canonical('local', 'hsg-000123', 'housing')).toBe('housing/hsg-000123');
    expect(canonical('local', 'HSG-000123', 'voluntary')).toBe('voluntary/HSG-000123');
    expect(canonical('local', 'a/b', 'housing')).toBe('housing/a/b');
  });

  it('are 1-64 characters once trimmed', () => {
    expect(canonical('local', 'x'.repeat(64), 'housing')).toBe(`housing/${'x'.repeat(64)}`);
    expect(reason('local', 'x'.repeat(65))).toMatch(/^is not a local identifier: a local identifier is 1-64/);
    expect(reason('local', '   ')).toMatch(/^is not a local identifier/);
  });
});

describe('parseSubjectReference', () => {
  it('reads a partnership id, in lower case', () => {
    expect(parseSubjectReference('6F1C2C4E-0D6A-4B8E-9A55-3F3A3D0F9B2E', 'police')).toEqual({
      ok: true,
      value: { kind: 'partnership-id', id: '6f1c2c4e-0d6a-4b8e-9a55-3f3a3d0f9b2e' },
    });
  });

  it('reads every form of an identifier as its canonical form', () => {
    for (const typed of ['pnc:2009/0123456C', 'pnc:09/123456c', 'pnc: 2009/0123456c '])
      expect(parseSubjectReference(typed, 'police')).toEqual({
        ok: true,
        value: { kind: 'identifier', identifier: { scheme: 'pnc', value: '2009/0123456C' } },
      });
    expect(parseSubjectReference('local:HSG-1', 'housing')).toEqual({
      ok: true,
      value: { kind: 'identifier', identifier: { scheme: 'local', value: 'housing/HSG-1' } },
    });
  });

  it("refuses a reference naming the scheme's rule", () => {
    expect(parseSubjectReference('pnc:hello-world', 'police')).toEqual({
      ok: false,
      reason: expect.stringMatching(/^pnc: is not a PNC id: a PNC id is the year/) as string,
    });
    expect(parseSubjectReference('nhs:banana', 'health')).toEqual({
      ok: false,
      reason: expect.stringMatching(/^nhs: is not an NHS number/) as string,
    });
    expect(parseSubjectReference('passport:123', 'police')).toEqual({
      ok: false,
      reason: 'unknown identifier scheme "passport" (pnc, nomis, crn, nhs, local)',
    });
    expect(parseSubjectReference('2009/0123456C', 'police').ok).toBe(false);
  });

  it('agrees with the pattern the JSON Schemas carry on every form, check characters aside', () => {
    const references = [
      'pnc:09/123456C',
      'pnc:hello-world',
      'nhs:943 476 5919',
      'nhs:banana',
      'crn:x123456',
      'crn:X12345',
      'nomis:A1234BC',
      'nomis:A1234B',
      'local: anything at all ',
      'local:',
      'PNC:2009/0123456C',
      '6f1c2c4e-0d6a-4b8e-9a55-3f3a3d0f9b2e',
    ];
    for (const reference of references)
      expect({ reference, pattern: SUBJECT_REFERENCE_PATTERN.test(reference) }).toEqual({
        reference,
        pattern: parseSubjectReference(reference, 'police').ok,
      });
    // The check is beyond a pattern: the form matches, the identifier is refused.
    expect(SUBJECT_REFERENCE_PATTERN.test('pnc:2020/0012890X')).toBe(true);
    expect(parseSubjectReference('pnc:2020/0012890X', 'police').ok).toBe(false);
    for (const scheme of IDENTIFIER_SCHEMES)
      expect(new RegExp(identifierValuePattern(scheme)).test(' x ')).toBe(scheme === 'local');
  });
});

describe('identifiersLinkedBy', () => {
  it('gives a registration its listed identifiers and the one it was named by, canonical, each with its field', () => {
    const data = {
      identifiers: [
        { scheme: 'pnc', value: '09/123456c' },
        { scheme: 'local', value: 'CUST-1' },
      ],
    };

    expect(identifiersLinkedBy('iom.subject.registered.v1', data, 'pnc: 2009/0123456C ', 'police')).toEqual([
      { identifier: { scheme: 'pnc', value: '2009/0123456C' }, field: 'data.identifiers.0', claimed: true },
      { identifier: { scheme: 'local', value: 'police/CUST-1' }, field: 'data.identifiers.1', claimed: true },
      { identifier: { scheme: 'pnc', value: '2009/0123456C' }, field: 'subject', claimed: true },
    ]);
  });

  it('names no identifier for a subject named by its partnership id', () => {
    const data = { identifiers: [{ scheme: 'crn', value: 'X123456' }] };

    expect(
      identifiersLinkedBy(
        'iom.subject.registered.v1',
        data,
        '6f1c2c4e-0d6a-4b8e-9a55-3f3a3d0f9b2e',
        'probation',
      ),
    ).toEqual([
      { identifier: { scheme: 'crn', value: 'X123456' }, field: 'data.identifiers.0', claimed: true },
    ]);
  });

  it('gives a link its identifier, claimed, and the one it was sent by, which it does not claim', () => {
    expect(
      identifiersLinkedBy(
        'iom.subject.identifier-linked.v1',
        { scheme: 'nomis', value: 'a1234bc' },
        'crn:X123456',
        'prison',
      ),
    ).toEqual([
      { identifier: { scheme: 'nomis', value: 'A1234BC' }, field: 'data.value', claimed: true },
      { identifier: { scheme: 'crn', value: 'X123456' }, field: 'subject', claimed: false },
    ]);
  });

  it('links nothing by an identifier that is none of its scheme (a log may hold one from before the rules)', () => {
    const data = {
      identifiers: [
        { scheme: 'pnc', value: 'hello-world' },
        { scheme: 'nhs', value: 'banana' },
        { scheme: 'passport', value: '1' },
        'crn:X123456',
        { scheme: 'crn', value: 'X123456' },
      ],
    };
    expect(identifiersLinkedBy('iom.subject.registered.v1', data, 'pnc:hello-world', 'police')).toEqual([
      { identifier: { scheme: 'crn', value: 'X123456' }, field: 'data.identifiers.4', claimed: true },
    ]);
  });

  it('links nothing for any other event', () => {
    expect(
      identifiersLinkedBy(
        'iom.arrest.recorded.v1',
        { scheme: 'crn', value: 'X123456' },
        'crn:X123456',
        'probation',
      ),
    ).toEqual([]);
  });
});

describe('identifierClaimRefusal', () => {
  const pnc = { scheme: 'pnc', value: '2009/0123456C' } as const;

  it('lets only the issuing agency claim an identifier of its scheme', () => {
    expect(identifierClaimRefusal(pnc, 'police', DEFAULT_ISSUING_AGENCIES)).toBeUndefined();
    expect(identifierClaimRefusal(pnc, 'voluntary', DEFAULT_ISSUING_AGENCIES)).toBe(
      'pnc identifiers are issued by police, and only police may register a person under one or link one; other agencies name the person by it once police has',
    );
    expect(
      identifierClaimRefusal(pnc, 'voluntary', { ...DEFAULT_ISSUING_AGENCIES, pnc: 'voluntary' }),
    ).toBeUndefined();
  });

  it("lets every agency claim its own local identifiers, which no other agency's can be", () => {
    const local = normaliseIdentifier('local', 'VOL-1', 'voluntary');
    expect(
      local.ok && identifierClaimRefusal(local.value, 'voluntary', DEFAULT_ISSUING_AGENCIES),
    ).toBeUndefined();
    expect(local.ok && formatIdentifier(local.value)).toBe('local:voluntary/VOL-1');
  });
});
