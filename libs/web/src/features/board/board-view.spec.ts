import type { ProblemException } from '@throughline/platform';
import type { BoardEntry } from '@throughline/tasking';
import { arrangeBoard, boardHref, pageOf, parseBoardQuery } from './board-view';

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

  it('pages the list fifty at a time, each page linking to the next with the filters and sort kept', () => {
    const many = Array.from({ length: 120 }, (_, index) => row(`P${String(index).padStart(3, '0')}`));
    const query = parseBoardQuery({ band: 'amber', sort: 'name:ascending', page: '3' });
    expect(query.page).toBe(3);
    expect(names(pageOf(arrangeBoard(many, query), query.page))).toEqual(
      Array.from({ length: 20 }, (_, index) => `P${100 + index}`),
    );
    expect(boardHref(query, 2)).toBe('/app/board?band=amber&sort=name%3Aascending&page=2');
    expect(boardHref(parseBoardQuery({}), 1)).toBe('/app/board');
    for (const page of ['0', '-1', '1.5', 'two', '123456'])
      expect(() => parseBoardQuery({ page })).toThrow(
        expect.objectContaining({ problem: expect.objectContaining({ status: 400 }) }),
      );
  });
});
