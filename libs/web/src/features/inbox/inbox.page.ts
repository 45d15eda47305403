import type { Principal } from '@throughline/auth';
import type { AlertKind, PurposeOfUse } from '@throughline/domain';
import type { Notification } from '@throughline/subjects';
import { fieldLabel, valueText, when } from '../../html/format';
import { html, type SafeHtml } from '../../html/html';
import { empty, page } from '../../html/layout';
import { withQuery } from '../../html/query';
import { purposeSelect } from '../subjects/purpose-select';

/** What each kind of notification is called on the page. */
export const KIND_LABELS: Readonly<Record<AlertKind, string>> = {
  arrest: 'Arrest',
  'custody-received': 'Custody reception',
  'custody-transferred': 'Transfer',
  'release-planned': 'Release planned',
  'custody-released': 'Release',
  wanted: 'Wanted',
  'appointment-missed': 'Missed appointment',
  breach: 'Breach',
  recall: 'Recall',
};

const who = (item: Notification): string => item.name ?? 'A person on your caseload';

function shortNotice(item: Notification): SafeHtml | string {
  if (!item.notice?.short) return '';
  return html`<span class="badge badge-red">Short notice: ${item.notice.days} days</span>`;
}

function row(item: Notification, purpose: PurposeOfUse): SafeHtml {
  return html`<li class="notification ${item.read ? 'read' : 'unread'}" data-event-id="${item.eventId}">
    <a href="${withQuery(`/app/inbox/${item.eventId}`, { purpose }, {})}"
      >${KIND_LABELS[item.kind]}: ${who(item)}</a
    >
    ${shortNotice(item)} ${item.yours && html`<span class="badge">Yours</span>`}
    ${!item.read && html`<span class="visually-hidden">(unread)</span>`}
    <span class="when">${when(item.recordedAt ?? item.occurredAt)}</span>
  </li>`;
}

export interface InboxPageData {
  readonly principal: Principal;
  readonly csrf: string;
  readonly purpose: PurposeOfUse;
  readonly notifications: readonly Notification[];
  readonly unread: number;
  /** The log position the list is as of: the live feed picks up from there. */
  readonly asOf: number;
  readonly nextBefore: number | null;
  readonly paged: boolean;
  readonly unreadOnly: boolean;
}

/** The inbox: newest first, a page at a time, kept live by the page's script where it runs. */
export function inboxPage(data: InboxPageData): string {
  const current = { purpose: data.purpose, unread: data.unreadOnly ? 'true' : null };
  const pager =
    data.nextBefore === null && !data.paged
      ? ''
      : html`<nav class="pager" aria-label="Pages of the inbox">
          ${data.paged && html`<a href="${withQuery('/app/inbox', current, {})}">Newest</a>`}
          ${
            data.nextBefore !== null &&
            html`<a rel="next" href="${withQuery('/app/inbox', current, { before: String(data.nextBefore) })}"
              >Older</a
            >`
          }
        </nav>`;
  return page({
    title: 'Inbox',
    principal: data.principal,
    csrf: data.csrf,
    section: 'inbox',
    unread: data.unread,
    body: html`<h1>Inbox</h1>
      <p class="lede">
        Arrests, custody moves, planned releases, releases, wanted flags, missed appointments, breaches and
        recalls about the people your agency works with, as much of each as you may see. Opening one is
        recorded in the audit log.
      </p>
      <form class="filters" method="get" action="/app/inbox" aria-label="Choose what the inbox shows">
        ${purposeSelect(data.purpose)}
        <div class="field">
          <label for="f-unread">Show</label>
          <select id="f-unread" name="unread">
            <option value="" ${!data.unreadOnly && html`selected`}>All</option>
            <option value="true" ${data.unreadOnly && html`selected`}>Unread only</option>
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <p role="status" class="visually-hidden" data-inbox-status></p>
      <ul
        class="notifications"
        data-inbox-live="${data.paged ? '' : 'true'}"
        data-purpose="${data.purpose}"
        data-from="${String(data.asOf)}"
      >
        ${data.notifications.length === 0 ? html`<li class="empty">No notifications.</li>` : ''}
        ${data.notifications.map((item) => row(item, data.purpose))}
      </ul>
      ${pager}`,
  });
}

/** One notification opened: what happened, to whom, as much as you may see, and where to go next. */
export function notificationPage(data: {
  readonly principal: Principal;
  readonly csrf: string;
  readonly purpose: PurposeOfUse;
  readonly notification: Notification;
  readonly disclosureId: string;
}): string {
  const item = data.notification;
  const fields = Object.entries(item.fields);
  return page({
    title: `${KIND_LABELS[item.kind]}: ${who(item)}`,
    principal: data.principal,
    csrf: data.csrf,
    section: 'inbox',
    body: html`<p>
        <a href="${withQuery('/app/inbox', { purpose: data.purpose }, {})}">Back to the inbox</a>
      </p>
      <h1>${KIND_LABELS[item.kind]}: ${who(item)}</h1>
      ${shortNotice(item)} ${item.yours && html`<span class="badge">Yours</span>`}
      <dl class="facts">
        <dt>Happened</dt>
        <dd>${when(item.occurredAt)}</dd>
        <dt>Recorded</dt>
        <dd>${when(item.recordedAt)}</dd>
        <dt>Published by</dt>
        <dd>${item.publisher}</dd>
        ${fields.map(
          ([name, value]) =>
            html`<dt>${fieldLabel(name)}</dt>
              <dd>${valueText(value)}</dd>`,
        )}
        ${
          item.notice &&
          html`<dt>Notice</dt>
            <dd>${item.notice.days} days</dd>`
        }
      </dl>
      ${fields.length === 0 && empty('Nothing more of this event is shared with you.')}
      <p>
        <a href="${withQuery(`/app/subjects/${item.subjectId}`, { purpose: data.purpose }, {})}"
          >Open the person's record</a
        >
      </p>
      <p class="small">This was recorded in the audit log as disclosure ${data.disclosureId}.</p>`,
  });
}
