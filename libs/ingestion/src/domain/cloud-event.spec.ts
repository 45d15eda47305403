import { CATALOGUE_EXAMPLES, EVENT_LIMITS } from '@throughline/domain';
import { validateCloudEvent } from './cloud-event';

const SOURCE = 'urn:throughline:police:custody';
const POLICE = { agency: 'police', sources: [SOURCE] };

const arrest = (patch: Record<string, unknown> = {}): Record<string, unknown> => ({
  specversion: '1.0',
  id: 'e-1',
  source: SOURCE,
  type: 'iom.arrest.recorded.v1',
  subject: 'pnc:2009/0123456D',
  time: '2024-03-02T01:52:10Z',
  data: { ...CATALOGUE_EXAMPLES['iom.arrest.recorded.v1'] },
  ...patch,
});

const issuesOf = (event: unknown): { field: string; constraint: string }[] =>
  validateCloudEvent(event, 0, POLICE).issues.map(({ field, constraint }) => ({ field, constraint }));

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
});
