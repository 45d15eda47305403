import { CATALOGUE_EXAMPLES, DEFAULT_ISSUING_AGENCIES, EVENT_LIMITS } from '@throughline/domain';
import { validateCloudEvent } from './cloud-event';

const SOURCE = 'urn:throughline:police:custody';
const POLICE = { agency: 'police', sources: [SOURCE] };

const arrest = (patch: Record<string, unknown> = {}): Record<string, unknown> => ({
  specversion: '1.0',
  id: 'e-1',
  source: SOURCE,
  type: 'iom.arrest.recorded.v1',
  subject: 'pnc:2009/0123456C',
  time: '2024-03-02T01:52:10Z',
  data: { ...CATALOGUE_EXAMPLES['iom.arrest.recorded.v1'] },
  ...patch,
});

const issuesOf = (
  event: unknown,
  publisher = POLICE,
  issuers = DEFAULT_ISSUING_AGENCIES,
): { field: string; constraint: string }[] =>
  validateCloudEvent(event, 0, publisher, issuers).issues.map(({ field, constraint }) => ({
    field,
    constraint,
  }));

const registration = (subject: string, identifiers: { scheme: string; value: string }[]) =>
  arrest({
    type: 'iom.subject.registered.v1',
    subject,
    data: { givenName: 'Sam', familyName: 'Carter', dateOfBirth: '1990-04-12', identifiers },
  });

const link = (subject: string, scheme: string, value: string) =>
  arrest({ type: 'iom.subject.identifier-linked.v1', subject, data: { scheme, value } });

describe('validateCloudEvent', () => {
  it('takes a well-formed event', () => {
    expect(issuesOf(arrest())).toEqual([]);
  });

  it.each([
    '2024-03-02T01:52:10.5+01:00',
    '2024-03-02T01:52:10.123456789Z',
    '2024-02-29T23:59:59-05:30',
    '2024-03-02T01:52:10-00:00',
  ])('takes the instant %j as time', (time) => {
    expect(issuesOf(arrest({ time }))).toEqual([]);
  });

  it.each([
    '2026-02-30T10:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-01-01T23:59:60Z',
    '9999-01-01T00:00:00Z',
    '1899-12-31T23:59:59Z',
    '2024-03-02',
    '2024-03-02T01:52Z',
    '2024-03-02T01:52:10',
    '2024-03-02 01:52:10Z',
    '20240302T015210Z',
    '2024-03-02T01:52:10Z ',
  ])('refuses %j as time', (time) => {
    expect(issuesOf(arrest({ time }))).toEqual([{ field: 'time', constraint: 'isInstant' }]);
  });

  it('reads attributes only from the event itself, not from its prototype', () => {
    const { specversion: _specversion, ...rest } = arrest();
    const inherited = Object.assign(Object.create({ specversion: '1.0' }) as object, rest);
    expect(issuesOf(inherited)).toEqual([{ field: 'specversion', constraint: 'equals' }]);
  });

  it('takes extension attributes of CloudEvents types only', () => {
    expect(issuesOf(arrest({ traceparent: 'x', retries: 2, replay: false }))).toEqual([]);
    expect(issuesOf(arrest({ ext: null, other: { a: 1 }, more: 1.5 }))).toEqual([
      { field: 'ext', constraint: 'attributeValue' },
      { field: 'other', constraint: 'attributeValue' },
      { field: 'more', constraint: 'attributeValue' },
    ]);
    const hostile = JSON.parse('{"__proto__": 1, "hasOwnProperty": 1}') as object;
    expect(issuesOf({ ...arrest(), ...hostile })).toEqual([
      { field: '__proto__', constraint: 'attributeName' },
      { field: 'hasOwnProperty', constraint: 'attributeName' },
    ]);
  });

  it('refuses an event nested past the limit before reading it, naming where', () => {
    let deep: unknown = [];
    for (let i = 0; i < 5000; i += 1) deep = [deep];
    const issues = issuesOf(
      arrest({ data: { ...CATALOGUE_EXAMPLES['iom.arrest.recorded.v1'], offence: deep } }),
    );
    expect(issues).toEqual([
      { field: expect.stringMatching(/^data\.offence(\.0)+$/), constraint: 'maxDepth' },
    ]);
    expect(issuesOf(arrest({ ext: deep }))).toEqual([
      { field: expect.stringMatching(/^ext(\.0)+$/), constraint: 'maxDepth' },
    ]);
  });

  it('refuses an event with too many values or too much text', () => {
    const many = Array.from({ length: EVENT_LIMITS.maxValues }, () => 1);
    expect(
      issuesOf(arrest({ data: { ...CATALOGUE_EXAMPLES['iom.arrest.recorded.v1'], offence: many } })),
    ).toEqual([{ field: 'data.offence', constraint: 'maxSize' }]);
    const long = 'x'.repeat(EVENT_LIMITS.maxCharacters);
    expect(
      issuesOf(arrest({ data: { ...CATALOGUE_EXAMPLES['iom.arrest.recorded.v1'], offence: long } })),
    ).toEqual([{ field: 'data', constraint: 'maxSize' }]);
  });

  it('leaves a correction whose replacement is any object to ingestion, which knows the target', () => {
    const correction = arrest({
      type: 'iom.record.corrected.v1',
      data: { targetEventId: 'e-0', reason: 'Wrong group', replacement: { offenceGroup: 'not-a-group' } },
    });
    expect(issuesOf(correction)).toEqual([]);
    expect(issuesOf({ ...correction, data: { targetEventId: 'e-0', reason: 'x', replacement: [] } })).toEqual(
      [{ field: 'data.replacement', constraint: 'isEventData' }],
    );
  });

  describe('identifiers', () => {
    it('reads the subject and listed identifiers in their canonical forms', () => {
      const result = validateCloudEvent(
        registration('pnc:09/123456c', [{ scheme: 'local', value: ' CUST-1 ' }]),
        0,
        POLICE,
        DEFAULT_ISSUING_AGENCIES,
      );
      expect(result.event?.subjectRef).toEqual({
        kind: 'identifier',
        identifier: { scheme: 'pnc', value: '2009/0123456C' },
      });
      expect(result.event?.linked.map(({ identifier, field }) => [identifier, field])).toEqual([
        [{ scheme: 'local', value: 'police/CUST-1' }, 'data.identifiers.0'],
        [{ scheme: 'pnc', value: '2009/0123456C' }, 'subject'],
      ]);
    });

    it("refuses a value that breaks its scheme's rule with 422, naming the identifier's index and the rule", () => {
      const result = validateCloudEvent(
        registration('pnc:2009/0123456C', [
          { scheme: 'pnc', value: '2009/0123456C' },
          { scheme: 'pnc', value: 'hello-world' },
          { scheme: 'nhs', value: 'banana' },
          { scheme: 'pnc', value: '2020/0012890X' },
        ]),
        0,
        POLICE,
        DEFAULT_ISSUING_AGENCIES,
      );
      expect(result.issues).toEqual([
        expect.objectContaining({
          field: 'data.identifiers.1.value',
          constraint: 'isIdentifierValue',
          status: 422,
          message: expect.stringMatching(/^value is not a PNC id: a PNC id is the year/) as string,
        }),
        expect.objectContaining({
          field: 'data.identifiers.2.value',
          constraint: 'isIdentifierValue',
          message: expect.stringMatching(/^value is not an NHS number: an NHS number is 10 digits/) as string,
        }),
        expect.objectContaining({
          field: 'data.identifiers.3.value',
          constraint: 'isIdentifierValue',
          message: 'value is not a PNC id: the check letter does not match the year and serial',
        }),
      ]);
    });

    it("refuses a subject that breaks its scheme's rule, naming the rule", () => {
      const result = validateCloudEvent(
        arrest({ subject: 'pnc:hello-world' }),
        0,
        POLICE,
        DEFAULT_ISSUING_AGENCIES,
      );
      expect(result.issues).toEqual([
        expect.objectContaining({
          field: 'subject',
          constraint: 'subjectReference',
          status: 422,
          message: expect.stringMatching(/^subject pnc: is not a PNC id: a PNC id is the year/) as string,
        }),
      ]);
    });

    it("refuses with 403 an agency claiming another agency's identifier, by registration or link", () => {
      const voluntary = { agency: 'voluntary', sources: [SOURCE] };
      expect(issuesOf(registration('pnc:2009/0123456C', []), voluntary)).toEqual([
        { field: 'subject', constraint: 'identifierIssuer' },
      ]);
      expect(
        issuesOf(
          registration('local:VOL-1', [
            { scheme: 'local', value: 'VOL-1' },
            { scheme: 'pnc', value: '2009/0123456C' },
          ]),
          voluntary,
        ),
      ).toEqual([{ field: 'data.identifiers.1', constraint: 'identifierIssuer' }]);
      expect(issuesOf(link('local:VOL-1', 'pnc', '2009/0123456C'), voluntary)).toEqual([
        { field: 'data.value', constraint: 'identifierIssuer' },
      ]);
      const refusal = validateCloudEvent(
        link('local:VOL-1', 'crn', 'X123456'),
        0,
        POLICE,
        DEFAULT_ISSUING_AGENCIES,
      );
      expect(refusal.issues).toEqual([
        expect.objectContaining({
          status: 403,
          message:
            'crn identifiers are issued by probation, and only probation may register a person under one or link one; other agencies name the person by it once probation has',
        }),
      ]);
    });

    it('lets any agency name a person by any identifier, in any event and as the subject of its own link', () => {
      const voluntary = { agency: 'voluntary', sources: [SOURCE] };
      expect(issuesOf(arrest({ subject: 'crn:X123456' }))).toEqual([]);
      expect(issuesOf(link('pnc:2009/0123456C', 'local', 'VOL-1'), voluntary)).toEqual([]);
      expect(issuesOf(registration('local:VOL-1', [{ scheme: 'local', value: 'VOL-1' }]), voluntary)).toEqual(
        [],
      );
    });

    it('lets the agency the agreement names issue a scheme', () => {
      const voluntary = { agency: 'voluntary', sources: [SOURCE] };
      const issuers = { ...DEFAULT_ISSUING_AGENCIES, pnc: 'voluntary' };
      expect(issuesOf(registration('pnc:2009/0123456C', []), voluntary, issuers)).toEqual([]);
      expect(issuesOf(registration('pnc:2009/0123456C', []), POLICE, issuers)).toEqual([
        { field: 'subject', constraint: 'identifierIssuer' },
      ]);
    });
  });
});
