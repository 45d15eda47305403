import { DATA_CATEGORIES } from '@throughline/domain';
import { emptyRecord, type DisclosedSubject } from '@throughline/subjects';
import { subjectPage } from './subject.page';

describe('the subject page of a person some of whose data was erased', () => {
  const page = (erased: DisclosedSubject['record']['erased']): string =>
    subjectPage({
      principal: { kind: 'person', id: 'pc-1', agency: 'police', role: 'iom-officer', sources: [] },
      csrf: 'token',
      purpose: 'case-management',
      disclosureId: null,
      subject: {
        record: {
          ...emptyRecord('s-1'),
          erased,
          withheld: {},
          bases: Object.fromEntries(DATA_CATEGORIES.map((category) => [category, 'agreement'])),
          consentsInForce: [],
        },
        entries: [],
      } as unknown as DisclosedSubject,
    });

  it('states who erased which categories, when and under what decision', () => {
    const mark = { agency: 'police', at: '2025-03-01T10:00:00Z', decisionRef: 'IG-2025-0042' };
    const text = page({ offending: [mark], custody: [mark] });
    expect(text).toContain('Erased data');
    expect(text).toMatch(/police erased its offending and custody data/);
    expect(text).toContain('IG-2025-0042');
  });

  it('says nothing of erasure when there was none', () => {
    expect(page({})).not.toContain('Erased data');
  });
});
