import { ANY_ENTRY, type TimelineFilter, type TimelineSummary } from '@throughline/subjects';
import { timelinePage } from './timeline.page';

const SUBJECT = '5f0c3a52-0000-4000-8000-000000000001';
const SUMMARY: TimelineSummary = {
  categories: ['custody', 'identity'],
  agencies: ['police', 'prison'],
  types: ['iom.custody.received.v1', 'iom.subject.registered.v1'],
  matching: 51,
};

const render = (filter: TimelineFilter, summary = SUMMARY, nextBefore: number | null = 17): string =>
  timelinePage({
    principal: { kind: 'person', id: 'pc-1', agency: 'police', role: 'iom-officer', sources: [] },
    csrf: 'token',
    purpose: 'enforcement',
    subjectId: SUBJECT,
    filter,
    summary,
    entries: [],
    nextBefore,
  });

const options = (page: string, name: string): string[] => {
  const select =
    new RegExp(`<select id="f-${name}" name="${name}">([\\s\\S]*?)</select>`).exec(page)?.[1] ?? '';
  return [...select.matchAll(/<option value="([^"]*)"/g)].map((match) => match[1]!);
};

describe('the timeline page', () => {
  it('offers only the values among the entries the reader may see', () => {
    const page = render(ANY_ENTRY);
    expect(options(page, 'category')).toEqual(['', 'custody', 'identity']);
    expect(options(page, 'agency')).toEqual(['', 'police', 'prison']);
    expect(options(page, 'type')).toEqual(['', 'iom.custody.received.v1', 'iom.subject.registered.v1']);
    expect(page).toContain('Custody received');
    expect(page).toMatch(/51 entries in all\./);
  });

  it('shows the count the filter matches and keeps the filter and purpose on every page link', () => {
    const page = render({ category: 'custody', agency: 'prison', type: null }, { ...SUMMARY, matching: 1 });
    expect(page).toMatch(/1 entry matches: category Custody, published by prison\./);
    expect(page).toMatch(/<option value="custody"\s+selected/);
    const older = /href="([^"]*before&#61;17[^"]*)"/.exec(page)?.[1] ?? '';
    const link = new URLSearchParams(older.replace(/&amp;/g, '&').replace(/&#61;/g, '=').split('?')[1]);
    expect(Object.fromEntries(link)).toEqual({
      purpose: 'enforcement',
      category: 'custody',
      agency: 'prison',
      before: '17',
    });
    expect(page).toContain('Nothing on the timeline matches these filters.');
  });

  it('keeps an asked-for value it does not offer selected, saying it matches nothing the reader may see', () => {
    const page = render({ category: 'health', agency: 'x-agency', type: null }, { ...SUMMARY, matching: 0 });
    expect(options(page, 'category')).toEqual(['', 'custody', 'identity', 'health']);
    expect(page).toMatch(/<option value="health"\s+selected>\s*Health \(none you may see\)/);
    expect(page).toMatch(/0 entries match/);
  });
});
