import type { AuditRecord, SubjectNames } from '@throughline/audit';
import { html, type SafeHtml } from '../../html/html';
import { withQuery } from '../../html/query';

/** No names: every person is shown by partnership id alone. */
export const NO_NAMES: SubjectNames = new Map();

/** The people a register row names: those it disclosed, or the one a refusal was about. */
export function subjectIdsOf(record: AuditRecord): string[] {
  const ids = record.content.subjects.map((subject) => subject.subjectId);
  const refused = record.content.refusal?.subjectId;
  if (ids.length === 0 && refused) ids.push(refused);
  return ids;
}

const nameText = (names: SubjectNames, id: string): string | null => {
  const name = names.get(id);
  if (!name) return null;
  return [name.givenName, name.familyName].filter((part) => part !== null).join(' ') || null;
};

/**
 * A person in the audit tools: their name where the reader's own cut shows it, linking to their
 * entries in the disclosure register, with the partnership id beside it; the id alone otherwise.
 * `short` shows the id's first eight characters (a register cell), the whole id is in the link.
 */
export function subjectRef(id: string, names: SubjectNames, short = false): SafeHtml {
  const href = withQuery('/app/ig/disclosures', {}, { subjectId: id });
  const shownId = short ? `${id.slice(0, 8)}…` : id;
  const name = nameText(names, id);
  return name === null
    ? html`<a href="${href}"><code>${shownId}</code></a>`
    : html`<a href="${href}">${name}</a> <span class="muted subject-id"><code>${shownId}</code></span>`;
}
