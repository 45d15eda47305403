/**
 * The one script the pages run, served from our own origin (the pages' policy allows no other):
 * it fills the navigation's unread count on every page a practitioner opens, and on the inbox
 * keeps the list live from the server-sent events of /app/inbox/stream. Every notification it is
 * sent was cut for this reader and recorded by the server before it was sent; it builds the list
 * item with text nodes only, never markup from data.
 */
export const INBOX_SCRIPT = `(function () {
  'use strict';
  var badge = document.querySelector('[data-unread]');
  var badgeLabel = document.querySelector('[data-unread-label]');
  var live = document.querySelector('[data-inbox-live]');
  var status = document.querySelector('[data-inbox-status]');
  function show(count) {
    if (!badge) return;
    badge.textContent = count > 0 ? String(count) : '';
    badge.hidden = count === 0;
    if (badgeLabel) badgeLabel.hidden = count === 0;
  }
  function text(tag, value, className) {
    var node = document.createElement(tag);
    node.textContent = value;
    if (className) node.className = className;
    return node;
  }
  var wallClock = new Intl.DateTimeFormat('en-GB', {
    day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: 'Europe/London'
  });
  function time(iso) {
    var node = document.createElement('time');
    node.dateTime = iso;
    node.textContent = wallClock.format(new Date(iso));
    var wrap = document.createElement('span');
    wrap.className = 'when';
    wrap.appendChild(node);
    return wrap;
  }
  function add(item) {
    if (!live || live.querySelector('[data-event-id="' + item.eventId + '"]')) return;
    var purpose = live.getAttribute('data-purpose') || 'case-management';
    var entry = document.createElement('li');
    entry.className = 'notification unread';
    entry.setAttribute('data-event-id', item.eventId);
    var link = document.createElement('a');
    link.href = '/app/inbox/' + encodeURIComponent(item.eventId) + '?purpose=' + encodeURIComponent(purpose);
    link.textContent = (item.label || item.kind) + ': ' + (item.name || 'a person on your caseload');
    entry.appendChild(link);
    if (item.notice && item.notice.short) entry.appendChild(text('span', 'Short notice: ' + item.notice.days + ' days', 'badge badge-red'));
    if (item.yours) entry.appendChild(text('span', 'Yours', 'badge'));
    entry.appendChild(time(item.recordedAt || item.occurredAt));
    var empty = live.querySelector('.empty');
    if (empty) empty.remove();
    live.insertBefore(entry, live.firstChild);
    if (status) status.textContent = 'New notification: ' + link.textContent;
  }
  if (live && live.getAttribute('data-inbox-live') === 'true' && window.EventSource) {
    var purpose = live.getAttribute('data-purpose') || 'case-management';
    var from = live.getAttribute('data-from') || '';
    var source = new EventSource('/app/inbox/stream?purpose=' + encodeURIComponent(purpose) + '&from=' + encodeURIComponent(from));
    source.addEventListener('unread', function (event) { show(JSON.parse(event.data).unread); });
    source.addEventListener('notification', function (event) { add(JSON.parse(event.data)); });
  } else if (badge && window.fetch) {
    fetch('/app/inbox/unread', { credentials: 'same-origin' })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (body) { if (body) show(body.unread); })
      .catch(function () {});
  }
})();
`;
