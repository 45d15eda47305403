/**
 * The whole stylesheet, served by the app (no assets from the internet). Layout is CSS only: the
 * same pages work at 1280 px and at tablet width (768 px), tables scroll inside their own region.
 */
export const STYLESHEET = `
:root {
  --ink: #0b0c0c; --muted: #505a5f; --line: #b1b4b6; --panel: #f3f2f1; --brand: #1d4f91;
  --link: #1d70b8; --red: #b10e1e; --amber: #8a4b00; --amber-bg: #ffe6c7; --green: #00703c;
  --focus: #ffdd00; --ok-bg: #e6f4ea; --bad-bg: #fbe9ea;
}
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: var(--ink); line-height: 1.45; }
body { margin: 0; background: #fff; font-size: 1rem; }
a { color: var(--link); }
a:visited { color: #4c2c92; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 0; box-shadow: 0 0 0 6px var(--ink); }
a:focus-visible { background: var(--focus); color: var(--ink); text-decoration: none; }
.skip-link { position: absolute; left: -9999px; top: 0; padding: .5rem 1rem; background: var(--focus); color: var(--ink); }
.skip-link:focus { left: 0; z-index: 10; }
header.site { background: var(--brand); color: #fff; }
header.site .bar { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1.5rem; max-width: 1400px; margin: 0 auto; padding: .6rem 1.5rem; }
header.site .brand { font-weight: 700; font-size: 1.2rem; color: #fff; text-decoration: none; margin-right: auto; }
header.site nav ul { display: flex; gap: 1rem; list-style: none; margin: 0; padding: 0; }
header.site nav a { color: #fff; font-weight: 600; }
header.site nav a[aria-current="page"] { text-decoration: underline 3px; text-underline-offset: 6px; }
header.site .who { font-size: .9rem; }
header.site form { margin: 0; }
header.site .button-link { background: transparent; border: 1px solid #fff; color: #fff; padding: .25rem .6rem; }
main { display: block; max-width: 1400px; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
footer.site { border-top: 1px solid var(--line); color: var(--muted); font-size: .875rem; padding: 1rem 1.5rem; max-width: 1400px; margin: 0 auto; }
h1 { font-size: 1.9rem; margin: .6rem 0 .4rem; }
h2 { font-size: 1.35rem; margin: 1.8rem 0 .5rem; }
h3 { font-size: 1.1rem; margin: 1rem 0 .4rem; }
.lede { color: var(--muted); margin-top: 0; max-width: 60rem; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(340px, 1fr)); gap: 1rem; }
.grid > * { min-width: 0; }
figure { margin: 0 0 1rem; }
figcaption { font-weight: 600; margin-bottom: .25rem; }
ul.plain { list-style: none; padding: 0; margin: .25rem 0 0; }
/* Links stacked in a cell: each keeps a 24 px target (WCAG 2.2, 2.5.8). */
ul.targets { margin: 0; }
ul.targets a { display: inline-block; min-height: 24px; padding: .1rem 0; }
/* A person's partnership id beside their name: secondary, whatever the cell's weight. */
.subject-id { font-weight: 400; font-size: .85rem; }
.card { border: 1px solid var(--line); border-top: 5px solid var(--brand); padding: .75rem 1rem; background: #fff; }
.card h2, .card h3 { margin-top: 0; font-size: 1.1rem; }
dl.facts { display: grid; grid-template-columns: minmax(8rem, max-content) 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.table-wrap { position: relative; overflow-x: auto; border: 1px solid var(--line); margin: .5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
caption { text-align: left; font-weight: 700; padding: .5rem .75rem; background: var(--panel); }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid var(--line); }
thead th { background: #fff; border-bottom: 2px solid var(--ink); white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafafa; }
th[scope="row"] { font-weight: 600; }
table.compact { font-size: .9rem; }
table.compact th, table.compact td { padding: .4rem .45rem; }
.sort { font: inherit; font-weight: 700; background: none; border: 0; padding: 0; color: var(--link); cursor: pointer; text-decoration: underline; }
.sort .dir { display: inline-block; min-width: 1ch; color: var(--ink); text-decoration: none; }
.badge { display: inline-block; white-space: nowrap; padding: 0 .45rem; border-radius: 3px; font-weight: 700; font-size: .85rem; text-transform: uppercase; letter-spacing: .02em; border: 1px solid transparent; }
.badge-red { background: var(--red); color: #fff; }
.badge-amber { background: var(--amber-bg); color: var(--amber); border-color: var(--amber); }
.badge-green { background: var(--green); color: #fff; }
.badge-none { background: var(--panel); color: var(--muted); }
.flag { display: inline-block; white-space: nowrap; padding: 0 .4rem; margin: 0 .25rem .2rem 0; border: 1px solid var(--ink); font-size: .85rem; font-weight: 600; }
.flag-warn { background: var(--bad-bg); border-color: var(--red); color: var(--red); }
.flag-ok { background: var(--ok-bg); border-color: var(--green); color: var(--green); }
.muted { color: var(--muted); }
.withheld { font-style: italic; }
details.bases { margin: 1rem 0; }
.spark { vertical-align: middle; margin-left: .35rem; }
form.filters { display: flex; flex-wrap: wrap; gap: .75rem 1rem; align-items: flex-end; background: var(--panel); padding: .75rem 1rem; margin: .5rem 0 1rem; }
.field { display: flex; flex-direction: column; gap: .2rem; }
.field label, fieldset legend { font-weight: 600; }
input[type="text"], input[type="date"], input[type="search"], select, textarea { font: inherit; padding: .35rem .45rem; border: 2px solid var(--ink); background: #fff; min-height: 2.4rem; }
textarea { min-height: 4rem; width: 100%; }
form:not(.filters) input[type="text"] { width: 100%; max-width: 28rem; }
button, .button { font: inherit; font-weight: 600; padding: .45rem .9rem; border: 2px solid transparent; background: var(--green); color: #fff; cursor: pointer; text-decoration: none; display: inline-block; }
button.secondary, .button.secondary { background: var(--panel); color: var(--ink); border-color: var(--ink); }
button.warning { background: var(--red); }
a.button:visited { color: #fff; }
a.button.secondary:visited { color: var(--ink); }
.notice { border-left: 6px solid var(--brand); background: var(--panel); padding: .75rem 1rem; margin: 1rem 0; }
.notice.ok { border-color: var(--green); background: var(--ok-bg); }
.notice.bad { border-color: var(--red); background: var(--bad-bg); }
.empty { padding: 1rem; background: var(--panel); color: var(--muted); }
.alerts { list-style: none; padding: 0; margin: 0; }
.alerts li { border-left: 6px solid var(--red); background: var(--bad-bg); padding: .5rem .75rem; margin-bottom: .5rem; }
.timeline { list-style: none; padding: 0; margin: 0; }
.timeline li { border-left: 3px solid var(--line); padding: .25rem 0 .75rem 1rem; }
.timeline .meta { color: var(--muted); font-size: .9rem; }
.timeline dl.facts { font-size: .92rem; }
.personas { display: grid; grid-template-columns: repeat(auto-fit, minmax(260px, 1fr)); gap: .75rem; border: 0; padding: 0; margin: 0 0 1rem; }
.persona { display: flex; gap: .6rem; align-items: flex-start; border: 2px solid var(--line); padding: .6rem .75rem; }
.persona input { width: 1.4rem; height: 1.4rem; margin-top: .15rem; flex: none; }
.persona:has(input:checked) { border-color: var(--brand); background: #eef3fa; }
.persona .role { display: block; font-weight: 700; }
.persona .desc { display: block; color: var(--muted); font-size: .9rem; }
.chart { max-width: 100%; height: auto; }
.chart-wrap { border: 1px solid var(--line); padding: .5rem; background: #fff; }
.legend { display: flex; flex-wrap: wrap; gap: 1rem; list-style: none; padding: 0; margin: .25rem 0; font-size: .9rem; }
.legend .key { display: inline-block; width: .9rem; height: .9rem; margin-right: .3rem; vertical-align: -2px; border: 1px solid var(--ink); }
.key-red { background: var(--red); } .key-amber { background: #f47738; } .key-green { background: var(--green); }
.key-adopted { background: var(--brand); } .key-deselected { background: #b1b4b6; }
.actions-inline { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.pager { display: flex; gap: 1rem; margin: .5rem 0; }
details summary { cursor: pointer; color: var(--link); }
.notifications { list-style: none; padding: 0; }
.notifications li.notification { padding: .5rem .75rem; border-bottom: 1px solid var(--panel); display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; }
.notifications li.unread a { font-weight: 700; }
.notifications .when { color: var(--muted); margin-left: auto; }
.badge-count { margin-left: .35rem; background: var(--red); color: #fff; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 900px) {
  main { padding: .75rem 1rem 2rem; }
  header.site .bar { padding: .5rem 1rem; }
  h1 { font-size: 1.6rem; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: .35rem; }
}
.print-only { display: none; }
@media print {
  header.site nav, header.site form, .filters, .no-print, .skip-link, footer.site { display: none; }
  .print-only { display: block; }
  header.site { background: none; color: var(--ink); border-bottom: 2px solid var(--ink); }
  header.site .brand { color: var(--ink); }
  main { max-width: none; padding: 0; }
  .table-wrap { overflow: visible; border: 0; }
  thead { display: table-header-group; }
  tr, .card { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
  .badge, .flag { border: 1px solid var(--ink); }
}
@page { margin: 15mm; }
`;
