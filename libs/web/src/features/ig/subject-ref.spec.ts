import type { SubjectNames } from '@throughline/audit';
import { toHtmlString } from '../../html/html';
import { NO_NAMES, subjectRef } from './subject-ref';

const ID = '7bed95c2-1111-4222-8333-444455556666';

describe('a person in the IG tools', () => {
  it('is named where the lookup found a name, the id beside it, escaped', () => {
    const names: SubjectNames = new Map([[ID, { givenName: 'Ray', familyName: 'Holt<b>' }]]);
    const text = toHtmlString(subjectRef(ID, names));
    expect(text).toContain('>Ray Holt&lt;b&gt;</a>');
    expect(text).toContain(`<span class="muted subject-id"><code>${ID}</code></span>`);
    expect(text).toContain(`href="/app/ig/disclosures?subjectId&#61;${ID}"`);
    expect(toHtmlString(subjectRef(ID, names, true))).toContain('<code>7bed95c2…</code>');
  });

  it('is shown by id alone where there is no name', () => {
    const text = toHtmlString(subjectRef(ID, NO_NAMES));
    expect(text).toBe(`<a href="/app/ig/disclosures?subjectId&#61;${ID}"><code>${ID}</code></a>`);
    const familyOnly: SubjectNames = new Map([[ID, { givenName: null, familyName: 'Holt' }]]);
    expect(toHtmlString(subjectRef(ID, familyOnly))).toContain('>Holt</a>');
  });
});
