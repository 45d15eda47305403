import { ANY_ENTRY, isFiltered, matchesTimelineFilter, parseTimelineFilter } from './timeline-filter';

const entry = (type: string, category: string, agency: string) => ({ type, meta: { category, agency } });

describe('the timeline filter', () => {
  it('reads absent and empty values as any entry', () => {
    expect(parseTimelineFilter({})).toEqual({ ok: true, filter: ANY_ENTRY });
    expect(parseTimelineFilter({ category: '', agency: '', type: '' })).toEqual({
      ok: true,
      filter: ANY_ENTRY,
    });
    expect(isFiltered(ANY_ENTRY)).toBe(false);
  });

  it('takes a data category, an agency id and a catalogue type', () => {
    const parsed = parseTimelineFilter({
      category: 'custody',
      agency: 'prison',
      type: 'iom.custody.received.v1',
    });
    expect(parsed).toEqual({
      ok: true,
      filter: { category: 'custody', agency: 'prison', type: 'iom.custody.received.v1' },
    });
  });

  it.each([
    [{ category: 'Custody' }, 'category'],
    [{ category: '<script>alert(1)</script>' }, 'category'],
    [{ category: 'constructor' }, 'category'],
    [{ type: 'iom.custody.received.v9' }, 'type'],
    [{ type: 'toString' }, 'type'],
    [{ agency: 'Police' }, 'agency'],
    [{ agency: '9lives' }, 'agency'],
    [{ agency: 'a'.repeat(33) }, 'agency'],
  ])('refuses %p, naming %s and never repeating the value', (params, field) => {
    const parsed = parseTimelineFilter(params);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.faults.map((fault) => fault.field)).toEqual([field]);
    for (const value of Object.values(params)) expect(parsed.faults[0]!.message).not.toContain(value);
  });

  it('names every faulty field at once', () => {
    const parsed = parseTimelineFilter({ category: 'x', agency: 'X', type: 'x' });
    expect(parsed.ok ? [] : parsed.faults.map((fault) => fault.field)).toEqual([
      'category',
      'agency',
      'type',
    ]);
  });

  it('combines the fields it is given, each of which must match', () => {
    const arrest = entry('iom.arrest.recorded.v1', 'offending', 'police');
    const custody = entry('iom.custody.received.v1', 'custody', 'prison');
    const filter = (params: Record<string, string>) => {
      const parsed = parseTimelineFilter(params);
      if (!parsed.ok) throw new Error('refused');
      return parsed.filter;
    };
    expect([arrest, custody].filter((e) => matchesTimelineFilter(ANY_ENTRY, e))).toEqual([arrest, custody]);
    expect([arrest, custody].filter((e) => matchesTimelineFilter(filter({ agency: 'prison' }), e))).toEqual([
      custody,
    ]);
    expect(matchesTimelineFilter(filter({ category: 'offending', agency: 'police' }), arrest)).toBe(true);
    expect(matchesTimelineFilter(filter({ category: 'offending', agency: 'prison' }), arrest)).toBe(false);
    expect(
      matchesTimelineFilter(filter({ type: 'iom.custody.received.v1', category: 'offending' }), custody),
    ).toBe(false);
  });
});
