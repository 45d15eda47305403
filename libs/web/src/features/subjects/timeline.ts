import { isAlerting, utcInstant, withdrawn } from '@throughline/domain';
import { type DisclosedEntry, inEventTime } from '@throughline/subjects';
import { eventData, eventDataLine } from '../../html/event-data';
import { eventLabel, when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty } from '../../html/layout';

type Entry = DisclosedEntry['entry'];

/** By event time, as the record is folded and the timeline API pages: a backdated entry takes its place. */
const newestFirst = (entries: readonly DisclosedEntry[]): Entry[] =>
  inEventTime(entries.map(({ entry }) => entry)).reverse();

/**
 * An event's data as a definition list, in the catalogue's order for its type; without a type the
 * same list in the data's own order. Never JSON.
 */
export const dataList = (values: object, type?: string): SafeHtml => eventData(values, type);

/** Recorded on a later day than it happened: the entry was backdated, so both times are shown. */
const recordedLater = (entry: Entry): boolean => {
  const happened = utcInstant(entry.meta.time);
  return !!entry.recordedAt && !!happened && entry.recordedAt.slice(0, 10) > happened.slice(0, 10);
};

function item(entry: Entry): SafeHtml {
  return html`<li>
    <strong>${eventLabel(entry.type)}</strong>
    <div class="meta">
      ${when(entry.meta.time)} · ${entry.meta.agency} ·
      ${entry.meta.category}${recordedLater(entry) && html` · recorded ${when(entry.recordedAt)}`}
    </div>
    ${
      entry.erasedBy
        ? html`<p class="muted">
            Erased by the publisher ${when(entry.erasedBy.at)}: its data no longer exists.
          </p>`
        : entry.redactedBy
          ? html`<p class="muted">Redacted by the publisher ${when(entry.redactedBy.at)}.</p>`
          : eventData(entry.data, entry.type)
    }
    ${entry.correctedBy && html`<p class="muted">Corrected by the publisher ${when(entry.correctedBy.at)}.</p>`}
  </li>`;
}

/** Timeline entries, newest first, exactly as disclosed (fields already cut for this reader). */
export function timelineList(
  entries: readonly DisclosedEntry[],
  limit?: number,
  none = 'Nothing on the timeline.',
): SafeHtml {
  const list = newestFirst(entries).slice(0, limit);
  if (list.length === 0) return empty(none);
  return html`<ol class="timeline" reversed>
    ${list.map(item)}
  </ol>`;
}

/**
 * The alert-type events (arrest, custody reception, release, wanted, missed appointment, breach,
 * recall) among what this reader was served: the same kinds the alerts relay sends.
 */
export function alertsList(entries: readonly DisclosedEntry[], limit = 5): SafeHtml {
  const alerts = newestFirst(entries)
    .filter((entry) => isAlerting(entry.type) && !withdrawn(entry))
    .slice(0, limit);
  if (alerts.length === 0) return empty('No recent alerts.');
  return html`<ul class="alerts">
    ${alerts.map(
      (entry) =>
        html`<li>
          <strong>${eventLabel(entry.type)}</strong> ${when(entry.meta.time)} · ${entry.meta.agency}<br />
          ${eventDataLine(entry.data, entry.type)}
        </li>`,
    )}
  </ul>`;
}
