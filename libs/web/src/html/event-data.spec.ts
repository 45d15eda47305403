import { CATALOGUE_EXAMPLES, EVENT_TYPES, type PublishedEvent, specOf } from '@throughline/domain';
import type { DisclosedEntry } from '@throughline/subjects';
import { alertsList, timelineList } from '../features/subjects/timeline';
import { eventData } from './event-data';
import { toHtmlString } from './html';

/** Text that reads as JSON: an object or array opening, a quoted key, or a key-value pair in quotes. */
const JSON_LOOKING = /\{"|\[\{|\[\s*"|"\s*:\s*["{[\d]|&quot;\s*:|\{&quot;|\[&quot;/;

const REASON: DisclosedEntry['reason'] = {
  rule: 'agreement',
  basis: 'always',
  clause: 'c-1',
  legalBasis: 'Crime and Disorder Act 1998 s115',
  agreementVersion: '1',
  reliedOn: null,
};

/** Every catalogue type once, with its example data, as the timeline would be served it. */
const entries: DisclosedEntry[] = EVENT_TYPES.map((type, position) => {
  const category = specOf(type).category;
  const event = {
    id: `e-${position}`,
    subjectId: '5f0c3a52-0000-4000-8000-000000000001',
    position,
    type,
    data: CATALOGUE_EXAMPLES[type],
    meta: {
      agency: 'police',
      source: 'urn:test',
      ceId: `ce-${position}`,
      time: `2025-01-${String((position % 28) + 1).padStart(2, '0')}T10:00:00Z`,
      subjectRef: 'pnc:2009/0123456C',
      publishedBy: 'police',
      category: category === 'of-target' ? 'offending' : category,
    },
  } as PublishedEvent;
  return { entry: event, reason: REASON };
});

describe('event data on the pages', () => {
  it('renders every catalogue example on the timeline with no JSON-looking text', () => {
    const markup = toHtmlString(timelineList(entries));
    for (const { entry } of entries) {
      const one = toHtmlString(timelineList([{ entry, reason: REASON }]));
      expect({ type: entry.type, json: JSON_LOOKING.test(one) }).toEqual({ type: entry.type, json: false });
    }
    expect(markup).not.toContain('{"');
    expect(markup).not.toContain('[object Object]');
    expect(toHtmlString(alertsList(entries, entries.length))).not.toMatch(JSON_LOOKING);
  });

  it('shows a consent scope and a list of identifiers as nested lists, in the catalogue order', () => {
    const consent = toHtmlString(
      eventData(CATALOGUE_EXAMPLES['iom.consent.given.v1'], 'iom.consent.given.v1'),
    );
    expect(consent).toMatch(/<dt>Scope<\/dt>\s*<dd><dl class="facts">/);
    expect(consent).toMatch(/<dt>Categories<\/dt>\s*<dd>[a-z -]+(, [a-z -]+)*<\/dd>/);
    const registered = toHtmlString(
      eventData(CATALOGUE_EXAMPLES['iom.subject.registered.v1'], 'iom.subject.registered.v1'),
    );
    expect(registered).toContain('<ul class="plain entries">');
    expect(registered).toMatch(
      /<dt>Scheme<\/dt>\s*<dd>pnc<\/dd>\s*<dt>Value<\/dt>\s*<dd>2009\/0123456C<\/dd>/,
    );
    // Given name, family name, date of birth: the schema's order, whatever order the data came in.
    const reordered = { dateOfBirth: '1991-04-17', familyName: 'Hartshorne', givenName: 'Daniel' };
    const labels = [
      ...toHtmlString(eventData(reordered, 'iom.subject.registered.v1')).matchAll(/<dt>([^<]+)</g),
    ].map((match) => match[1]);
    expect(labels).toEqual(['Given name', 'Family name', 'Date of birth']);
  });

  it('reads dates as dates, words from a list without hyphens, and escapes what it shows', () => {
    const text = toHtmlString(
      eventData(
        {
          scope: { categories: ['offending'], recipients: ['<script>'], purposes: ['case-management'] },
          expires: '2026-01-31',
        },
        'iom.consent.given.v1',
      ),
    );
    expect(text).toContain('<time datetime="2026-01-31">31 Jan 2026</time>');
    expect(text).toContain('case management');
    expect(text).toContain('&lt;script&gt;');
    expect(text).not.toContain('<script>');
  });

  it('renders data of a type the catalogue does not name, nested or not, without JSON', () => {
    const text = toHtmlString(
      eventData({ a: { b: [{ c: 1 }, { d: [true, null] }] }, e: [] }, 'iom.unknown.v9'),
    );
    expect(text).not.toMatch(JSON_LOOKING);
    expect(text).toContain('<dt>C</dt>');
    expect(text).toContain('yes, —');
    expect(text).toContain('none');
  });
});
