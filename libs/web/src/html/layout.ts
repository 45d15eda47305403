import type { Principal } from '@throughline/auth';
import { CHAIR_ROLE, IG_ROLE } from '../session/personas';
import { html, type SafeHtml, toHtmlString } from './html';

export type Section = 'board' | 'meetings' | 'subjects' | 'inbox' | 'ig' | 'register' | 'sign-in';

export interface PageOptions {
  readonly title: string;
  readonly body: SafeHtml;
  readonly principal?: Principal | null;
  /** The token for the sign-out form; pages for a signed-in person always have one. */
  readonly csrf?: string;
  readonly section?: Section;
  /**
   * Go on to this address at once (a same-site navigation of the browser's own, so SameSite=Strict
   * cookies go with it, which a redirect at the end of a cross-site one would not carry).
   */
  readonly continueTo?: string;
  /** The reader's unread notifications, where the page knows it; the page's script fills it in elsewhere. */
  readonly unread?: number;
}

const NAV: Readonly<Record<string, readonly { section: Section; href: string; text: string }[]>> = {
  [CHAIR_ROLE]: [
    { section: 'board', href: '/app/board', text: 'Tasking board' },
    { section: 'meetings', href: '/app/meetings', text: 'Meetings' },
  ],
  [IG_ROLE]: [
    { section: 'ig', href: '/app/ig', text: 'IG console' },
    { section: 'register', href: '/app/ig/disclosures', text: 'Disclosure register' },
  ],
};
const PRACTITIONER_NAV = [
  { section: 'subjects' as Section, href: '/app/subjects', text: 'Subjects' },
  { section: 'inbox' as Section, href: '/app/inbox', text: 'Inbox' },
];

/** The inbox link's unread count: rendered when known, filled in by the page's script otherwise. */
const unreadBadge = (unread: number | undefined): SafeHtml =>
  html`<span class="badge badge-count" data-unread ${!unread && html`hidden`}
      >${unread ? String(unread) : ''}</span
    ><span class="visually-hidden" data-unread-label ${!unread && html`hidden`}> unread</span>`;

function navigation(
  principal: Principal,
  section: Section | undefined,
  unread: number | undefined,
): SafeHtml {
  const links = NAV[principal.role] ?? PRACTITIONER_NAV;
  return html`<nav aria-label="Main">
    <ul>
      ${links.map(
        (link) =>
          html`<li>
            <a href="${link.href}" ${link.section === section ? html`aria-current="page"` : ''}
              >${link.text}${link.section === 'inbox' && unreadBadge(unread)}</a
            >
          </li>`,
      )}
    </ul>
  </nav>`;
}

/** Practitioners' pages carry the inbox's script (the unread count, and the live list on the inbox). */
const hasInbox = (principal: Principal | null | undefined): boolean =>
  !!principal && NAV[principal.role] === undefined;

/** The page shell: landmarks, skip link, who is signed in, and the sign-out form. */
export function page(options: PageOptions): string {
  const { principal, csrf } = options;
  const signedIn =
    principal &&
    html`${navigation(principal, options.section, options.unread)}
      <p class="who">
        <span class="visually-hidden">Signed in as </span>${principal.id} · ${principal.agency} ·
        ${principal.role}
      </p>
      ${
        csrf &&
        html`<form method="post" action="/app/sign-out">
          <input type="hidden" name="_csrf" value="${csrf}" />
          <button type="submit" class="button-link">Sign out</button>
        </form>`
      }`;
  return toHtmlString(
    html`<!doctype html>
      <html lang="en-GB">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          ${options.continueTo && html`<meta http-equiv="refresh" content="0;url=${options.continueTo}" />`}
          <title>${options.title} – Throughline</title>
          <link rel="stylesheet" href="/app/assets/app.css" />
          <link rel="icon" href="/app/assets/icon.svg" type="image/svg+xml" />
          ${hasInbox(principal) && html`<script src="/app/assets/inbox.js" defer></script>`}
        </head>
        <body>
          <a class="skip-link" href="#main">Skip to main content</a>
          <header class="site">
            <div class="bar">
              <a class="brand" href="/app">Throughline</a>
              ${signedIn}
            </div>
          </header>
          <main id="main" tabindex="-1">${options.body}</main>
          <footer class="site">
            <p>
              Every page that shows a person's information is recorded in the partnership's audit log, with
              the purpose you state.
            </p>
          </footer>
        </body>
      </html>`,
  );
}

/** A table in a keyboard-scrollable region, so wide tables never break the page at 768 px. */
export function tableRegion(label: string, table: SafeHtml): SafeHtml {
  return html`<div class="table-wrap" role="region" aria-label="${label}" tabindex="0">${table}</div>`;
}

export const empty = (text: string): SafeHtml => html`<p class="empty">${text}</p>`;
