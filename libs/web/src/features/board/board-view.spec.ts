import type { ProblemException } from '@throughline/platform';
import type { BoardEntry } from '@throughline/tasking';
import { arrangeBoard, parseBoardQuery } from './board-view';

const row = (name: string, overrides: Partial<BoardEntry> = {}): BoardEntry => ({
  subjectId: name,
  name,
  band: 'amber',
  trend: 'steady',
  bandHistory: [],
  cohortClass: 'PPO',
  category: 2,
  inCustody: false,
  releaseDate: null,
  wanted: false,
  openNeeds: [],
  keyWorkers: [],
  actions: [],
  released: [],
  overdueActions: 0,
  reviewDue: null,
  reviewOverdue: false,
  ...overrides,
});

describe('the board view', () => {
  const rows = [
    row('Casey Holt', { band: 'red', wanted: true, reviewDue: '2025-03-01' }),
    row('Alex Byrne', { band: 'green', inCustody: true, releaseDate: '2025-02-01' }),
    row('Bo Dean', { overdueActions: 2, reviewDue: '2025-01-01' }),
  ];
  const names = (list: readonly BoardEntry[]) => list.map((entry) => entry.name);

  it('filters by band, flag and name', () => {
    expect(names(arrangeBoard(rows, parseBoardQuery({ band: 'red' })))).toEqual(['Casey Holt']);
    expect(names(arrangeBoard(rows, parseBoardQuery({ flag: 'in-custody' })))).toEqual(['Alex Byrne']);
    expect(names(arrangeBoard(rows, parseBoardQuery({ flag: 'overdue-actions' })))).toEqual(['Bo Dean']);
    expect(names(arrangeBoard(rows, parseBoardQuery({ q: 'de' })))).toEqual(['Bo Dean']);
  });

  it('sorts either way, keeping empty values last', () => {
    expect(names(arrangeBoard(rows, parseBoardQuery({ sort: 'band:descending' })))).toEqual([
      'Casey Holt',
      'Bo Dean',
      'Alex Byrne',
    ]);
    expect(names(arrangeBoard(rows, parseBoardQuery({ sort: 'reviewDue:ascending' })))).toEqual([
      'Bo Dean',
      'Casey Holt',
      'Alex Byrne',
    ]);
    expect(names(arrangeBoard(rows, parseBoardQuery({ sort: 'reviewDue:descending' })))).toEqual([
      'Casey Holt',
      'Bo Dean',
      'Alex Byrne',
    ]);
  });

  it('refuses malformed filters with a 400 that names them', () => {
    const refusal = (raw: Record<string, string>) => {
      try {
        parseBoardQuery(raw);
      } catch (error) {
        return (error as ProblemException).problem;
      }
      throw new Error('accepted');
    };
    expect(refusal({ band: 'purple' })).toMatchObject({ status: 400, detail: expect.stringMatching(/band/) });
    expect(refusal({ since: '01/02/2025' })).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/date/),
    });
    expect(refusal({ sort: 'name:sideways' })).toMatchObject({
      status: 400,
      detail: expect.stringMatching(/sort/),
    });
  });
});
