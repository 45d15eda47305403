import { escapeHtml, html, toHtmlString, trusted } from './html';

describe('html templates', () => {
  it('escapes every interpolated value, in text and in attributes', () => {
    const name = `<script>alert("x")</script>`;
    const attribute = `" onmouseover="alert(1)`;
    const markup = toHtmlString(html`<p title="${attribute}">${name}</p>`);
    expect(markup).toBe(
      '<p title="&quot; onmouseover&#61;&quot;alert(1)">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;</p>',
    );
  });

  it('nests templates without escaping them twice, and renders lists, numbers and nothing', () => {
    const items = ['a&b', 'c'].map((item) => html`<li>${item}</li>`);
    // prettier-ignore
    const markup = html`<ul>${items}</ul>${0}${null}${undefined}${false}`;
    expect(toHtmlString(markup)).toBe('<ul><li>a&amp;b</li><li>c</li></ul>0');
  });

  it('passes only constants marked trusted through unescaped', () => {
    expect(toHtmlString(html`${trusted('<b>constant</b>')}`)).toBe('<b>constant</b>');
    expect(escapeHtml("'`=")).toBe('&#39;&#96;&#61;');
  });
});
