import { DEFAULT_AGENCIES } from '../agencies';
import { isDataCategory } from '../categories';
import { CATALOGUE, CATALOGUE_EXAMPLES, EVENT_TYPES, isEventType, specOf, type EventType } from './index';
import { validateEventData } from './validate';

const TYPE_NAME = /^iom\.[a-z-]+\.[a-z-]+\.v[0-9]+$/;

describe('the event catalogue', () => {
  it('holds every v1 type of the domain brief, the platform-recorded break-glass claim and review, the identity repairs, the records decisions, the erasure and the tasking meetings', () => {
    expect(EVENT_TYPES).toHaveLength(60);
    expect(new Set(EVENT_TYPES).size).toBe(EVENT_TYPES.length);
  });

  it.each(EVENT_TYPES)('%s is named iom.<noun>.<past-verb>.v<n>', (type) => {
    expect(type).toMatch(TYPE_NAME);
  });

  it.each(EVENT_TYPES)('%s has a known category, valid publishers and a summary', (type) => {
    const spec = specOf(type);
    expect(spec.category === 'of-target' || isDataCategory(spec.category)).toBe(true);
    if (spec.publishers !== 'any') {
      expect(spec.publishers.length).toBeGreaterThan(0);
      for (const agency of spec.publishers) expect(DEFAULT_AGENCIES).toContain(agency);
    }
    expect(spec.summary.length).toBeGreaterThan(10);
  });

  it('lets only corrections and redactions take the category of their target', () => {
    const ofTarget = EVENT_TYPES.filter((type) => CATALOGUE[type].category === 'of-target');
    expect(ofTarget.sort()).toEqual(['iom.record.corrected.v1', 'iom.record.redacted.v1']);
  });

  it('marks only subject registration as able to name an unknown subject', () => {
    expect(EVENT_TYPES.filter((type) => specOf(type).registersSubject === true)).toEqual([
      'iom.subject.registered.v1',
    ]);
  });

  it('keeps break-glass claims and their reviews, retention reviews, restrictions and the meetings to the platform', () => {
    expect(EVENT_TYPES.filter((type) => specOf(type).recordedByPlatform === true)).toEqual([
      'iom.tasking.decision-recorded.v1',
      'iom.meeting.opened.v1',
      'iom.meeting.closed.v1',
      'iom.break-glass.claimed.v1',
      'iom.break-glass.reviewed.v1',
      'iom.retention.reviewed.v1',
      'iom.record.restricted.v1',
      'iom.record.restriction-lifted.v1',
    ]);
  });

  it('recognises catalogue types and nothing else', () => {
    expect(isEventType('iom.arrest.recorded.v1')).toBe(true);
    expect(isEventType('iom.arrest.recorded.v2')).toBe(false);
    expect(isEventType('toString')).toBe(false);
  });
});

describe('validateEventData', () => {
  it.each(EVENT_TYPES)('accepts the example of %s', (type) => {
    expect(validateEventData(type, CATALOGUE_EXAMPLES[type])).toEqual([]);
  });

  it.each(EVENT_TYPES)('refuses an unknown property on %s, naming it', (type) => {
    const issues = validateEventData(type, { ...CATALOGUE_EXAMPLES[type], surprise: 1 });
    expect(issues).toEqual([
      expect.objectContaining({ path: 'surprise', constraint: 'whitelistValidation' }),
    ]);
  });

  it.each(EVENT_TYPES)('refuses data that is not an object for %s', (type) => {
    expect(validateEventData(type, [])).toEqual([
      expect.objectContaining({ path: '', constraint: 'isObject' }),
    ]);
  });

  const withData = (type: EventType, patch: Record<string, unknown>): unknown => ({
    ...CATALOGUE_EXAMPLES[type],
    ...patch,
  });

  it('refuses a score above 64', () => {
    const issues = validateEventData('iom.cohort.scored.v1', withData('iom.cohort.scored.v1', { score: 65 }));
    expect(issues).toEqual([expect.objectContaining({ path: 'score', constraint: 'max' })]);
  });

  it('refuses a fractional score', () => {
    const issues = validateEventData(
      'iom.cohort.scored.v1',
      withData('iom.cohort.scored.v1', { score: 40.5 }),
    );
    expect(issues).toEqual([expect.objectContaining({ path: 'score', constraint: 'isInt' })]);
  });

  it('refuses an unknown band at path band', () => {
    const issues = validateEventData(
      'iom.cohort.scored.v1',
      withData('iom.cohort.scored.v1', { band: 'purple' }),
    );
    expect(issues).toEqual([expect.objectContaining({ path: 'band', constraint: 'isIn' })]);
  });

  it('reports a nested factor by its dotted path', () => {
    const factors = { ...CATALOGUE_EXAMPLES['iom.cohort.scored.v1'].factors, multiplier: 9 };
    const issues = validateEventData('iom.cohort.scored.v1', withData('iom.cohort.scored.v1', { factors }));
    expect(issues).toEqual([expect.objectContaining({ path: 'factors.multiplier', constraint: 'max' })]);
  });

  it('refuses a missing nested object', () => {
    const { factors: _factors, ...rest } = CATALOGUE_EXAMPLES['iom.cohort.scored.v1'];
    const paths = validateEventData('iom.cohort.scored.v1', rest).map((issue) => issue.path);
    expect(paths).toContain('factors');
  });

  it('reports a bad identifier scheme at identifiers.0.scheme', () => {
    const data = withData('iom.subject.registered.v1', { identifiers: [{ scheme: 'passport', value: 'X' }] });
    const issues = validateEventData('iom.subject.registered.v1', data);
    expect(issues).toEqual([expect.objectContaining({ path: 'identifiers.0.scheme', constraint: 'isIn' })]);
  });

  // ISO 8601 forms other parsers read differently or not at all, days that do not exist, years out of range.
  const NOT_DATES = [
    '2024-02-30',
    '2023-02-29',
    '2024-13-01',
    '20990101',
    '2026-W01-1',
    '2024-001',
    '2024-06-30 ',
    ' 2024-06-30',
    '2024-6-30',
    '1899-12-31',
    '2100-01-01',
    '9999-01-01',
    '+002024-06-30',
    '2024-06-30T10:00:00Z',
  ];
  const NOT_INSTANTS = [
    '2024-01-01T24:00:00Z',
    '2024-01-01T10:60:00Z',
    '2024-01-01T23:59:60Z',
    '2024-02-30T10:00:00Z',
    '2024-01-01T10:00Z',
    '2024-01-01T10:00:00',
    '2024-01-01t10:00:00z',
    '2024-01-01 10:00:00Z',
    '2024-01-01T10:00:00+0100',
    '2024-01-01T10:00:00+24:00',
    '2024-01-01T10:00:00.Z',
    '2024-01-01T10:00:00.1234567890Z',
    '20240101T100000Z',
    '9999-12-31T23:59:59Z',
    '2024-01-01T10:00:00Z ',
    '2024-06-30',
  ];

  it.each(NOT_DATES)('refuses %j as a date', (value) => {
    const data = withData('iom.cohort.adopted.v1', { reviewDue: value });
    expect(validateEventData('iom.cohort.adopted.v1', data)).toEqual([
      expect.objectContaining({ path: 'reviewDue', constraint: 'isCalendarDate' }),
    ]);
  });

  it.each(NOT_INSTANTS)('refuses %j as an instant', (value) => {
    const data = withData('iom.arrest.recorded.v1', { arrestedAt: value });
    expect(validateEventData('iom.arrest.recorded.v1', data)).toEqual([
      expect.objectContaining({ path: 'arrestedAt', constraint: 'isInstant' }),
    ]);
  });

  it.each([
    ...NOT_DATES.filter((value) => value !== '2024-06-30T10:00:00Z'),
    ...NOT_INSTANTS.filter((value) => value !== '2024-06-30'),
  ])('refuses %j as an expiry', (value) => {
    const data = withData('iom.safeguarding.concern-raised.v1', { expires: value });
    expect(validateEventData('iom.safeguarding.concern-raised.v1', data)).toEqual([
      expect.objectContaining({ path: 'expires', constraint: 'isDateOrInstant' }),
    ]);
  });

  it.each([
    ['reviewDue', '2024-02-29'],
    ['reviewDue', '1900-01-01'],
    ['reviewDue', '2099-12-31'],
  ])('takes %s %j', (field, value) => {
    expect(
      validateEventData('iom.cohort.adopted.v1', withData('iom.cohort.adopted.v1', { [field]: value })),
    ).toEqual([]);
  });

  it.each([
    '2024-06-30',
    '2024-06-30T23:59:59Z',
    '2024-06-30T23:59:59.123456789Z',
    '2024-06-30T23:59:59+01:00',
    '2024-06-30T00:00:00-00:00',
  ])('takes %j as an expiry', (expires) => {
    const data = withData('iom.safeguarding.concern-raised.v1', { expires });
    expect(validateEventData('iom.safeguarding.concern-raised.v1', data)).toEqual([]);
  });

  it.each([
    ['iom.subject.registered.v1', 'gender'],
    ['iom.consent.given.v1', 'expires'],
    ['iom.tasking.detail-released.v1', 'from'],
    ['iom.record.corrected.v1', 'targetSource'],
  ] as const)('refuses null for the optional %s field %s', (type, field) => {
    expect(validateEventData(type, withData(type, { [field]: null })).map((issue) => issue.path)).toContain(
      field,
    );
  });

  it('refuses an agency id of the wrong shape in a consent scope', () => {
    const example = CATALOGUE_EXAMPLES['iom.consent.given.v1'];
    const data = { ...example, scope: { ...example.scope, recipients: ['Police Force'] } };
    expect(validateEventData('iom.consent.given.v1', data)).toEqual([
      expect.objectContaining({ path: 'scope.recipients', constraint: 'matches' }),
    ]);
  });

  it('refuses an unknown purpose of use and an empty category list', () => {
    const example = CATALOGUE_EXAMPLES['iom.consent.given.v1'];
    const data = { ...example, scope: { ...example.scope, categories: [], purposes: ['marketing'] } };
    const issues = validateEventData('iom.consent.given.v1', data);
    expect(issues.map((issue) => `${issue.path}:${issue.constraint}`).sort()).toEqual([
      'scope.categories:arrayMinSize',
      'scope.purposes:isIn',
    ]);
  });

  it('refuses an unknown property inside a nested object', () => {
    const data = withData('iom.drug-test.recorded.v1', {
      results: [{ substance: 'opiates', result: 'positive', level: 300 }],
    });
    expect(validateEventData('iom.drug-test.recorded.v1', data)).toEqual([
      expect.objectContaining({ path: 'results.0.level', constraint: 'whitelistValidation' }),
    ]);
  });

  it.each([null, [], 'opiates'])('refuses %j in place of a drug test result', (element) => {
    const data = withData('iom.drug-test.recorded.v1', { results: [element] });
    expect(validateEventData('iom.drug-test.recorded.v1', data)).toContainEqual(
      expect.objectContaining({ path: 'results', constraint: 'isObject' }),
    );
  });

  // Names found on every object's prototype, which a lookup in a plain object would take as known.
  const HOSTILE_KEYS = [
    '__proto__',
    'constructor',
    'hasOwnProperty',
    'valueOf',
    'toString',
    '__defineGetter__',
    'isPrototypeOf',
  ];

  it.each(HOSTILE_KEYS)('refuses an unknown property named %s, at the top and nested', (key) => {
    // Parsed from JSON so that `__proto__` is an own property, as it is in a request body.
    const top = JSON.parse(
      `{"offence":"Burglary dwelling","offenceGroup":"burglary","arrestedAt":"2024-03-02T01:40:00Z","custodySuite":"North","${key}":null}`,
    ) as unknown;
    expect(validateEventData('iom.arrest.recorded.v1', top)).toEqual([
      expect.objectContaining({ path: key, constraint: 'whitelistValidation' }),
    ]);
    const nested = JSON.parse(
      `{"context":"on-arrest","results":[{"substance":"opiates","result":"positive","${key}":{"x":1}}]}`,
    ) as unknown;
    expect(validateEventData('iom.drug-test.recorded.v1', nested)).toEqual([
      expect.objectContaining({ path: `results.0.${key}`, constraint: 'whitelistValidation' }),
    ]);
  });

  it('judges a record with `constructor: null` in a list of records without failing', () => {
    const data = JSON.parse('{"context":"on-arrest","results":[[{"constructor":null}]]}') as unknown;
    expect(validateEventData('iom.drug-test.recorded.v1', data)).toContainEqual(
      expect.objectContaining({ path: 'results', constraint: 'isObject' }),
    );
  });

  it('refuses data nested thousands deep without overflowing the stack', () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const data = JSON.parse(`{"context":"on-arrest","results":${deep}}`) as unknown;
    expect(validateEventData('iom.drug-test.recorded.v1', data)).toEqual([
      expect.objectContaining({ constraint: 'maxDepth' }),
    ]);
  });

  it('refuses a missed appointment without an acceptability decision', () => {
    const { acceptable: _acceptable, ...rest } = CATALOGUE_EXAMPLES['iom.appointment.missed.v1'];
    expect(validateEventData('iom.appointment.missed.v1', rest)).toEqual([
      expect.objectContaining({ path: 'acceptable', constraint: 'isBoolean' }),
    ]);
  });

  it('bounds free text', () => {
    const data = withData('iom.intelligence.logged.v1', { summary: 'x'.repeat(2001) });
    expect(validateEventData('iom.intelligence.logged.v1', data)).toEqual([
      expect.objectContaining({ path: 'summary', constraint: 'isLength' }),
    ]);
  });
});
