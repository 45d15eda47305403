import type { Principal } from '@throughline/auth';
import { html } from '../html/html';
import { page } from '../html/layout';
import { PERSONAS } from './personas';

export function signInPage(options: {
  csrf: string;
  next: string | null;
  signedIn: Principal | null;
  chosen?: string;
}): string {
  const chosen = options.chosen ?? PERSONAS[0]!.key;
  const body = html`<h1>Sign in</h1>
    <p class="lede">
      This partnership runs in embedded mode: choose who you are working as. Each persona sees only what the
      sharing agreement lets its agency and role see, and every page you view is recorded.
    </p>
    ${
      options.signedIn &&
      html`<div class="notice">
        You are signed in as ${options.signedIn.id} (${options.signedIn.agency}, ${options.signedIn.role}).
        <a href="/app">Continue to your pages</a>, or choose another persona below.
      </div>`
    }
    <form method="post" action="/app/sign-in">
      <input type="hidden" name="_csrf" value="${options.csrf}" />
      ${options.next && html`<input type="hidden" name="next" value="${options.next}" />`}
      <fieldset class="personas">
        <legend>Demo persona (agency and role)</legend>
        ${PERSONAS.map(
          (persona) =>
            html`<label class="persona" for="persona-${persona.key}">
              <input
                type="radio"
                id="persona-${persona.key}"
                name="persona"
                value="${persona.key}"
                required
                ${persona.key === chosen ? html`checked` : ''}
              />
              <span>
                <span class="role">${persona.title}</span>
                <span class="desc">${persona.agency} · ${persona.role} — ${persona.description}</span>
              </span>
            </label>`,
        )}
      </fieldset>
      <div class="field">
        <label for="user">Your user id (optional)</label>
        <span id="user-hint" class="muted"
          >Recorded in the audit log; the persona's demo id if left blank.</span
        >
        <input
          type="text"
          id="user"
          name="user"
          autocomplete="username"
          maxlength="64"
          pattern="[A-Za-z0-9._@-]{1,64}"
          aria-describedby="user-hint"
        />
      </div>
      <p><button type="submit">Sign in</button></p>
    </form>`;
  return page({ title: 'Sign in', body, section: 'sign-in' });
}

/** With OIDC_ISSUER_URL set: one button to the partnership's identity provider. */
export function oidcPage(options: { next: string | null; signedIn: Principal | null }): string {
  const start = `/app/oidc/start${options.next ? `?next=${encodeURIComponent(options.next)}` : ''}`;
  const body = html`<h1>Sign in</h1>
    <p class="lede">
      This partnership signs people in through its identity provider. You see only what the sharing agreement
      lets your agency and role see, and every page you view is recorded.
    </p>
    ${
      options.signedIn &&
      html`<div class="notice">
        You are signed in as ${options.signedIn.id} (${options.signedIn.agency}, ${options.signedIn.role}).
        <a href="/app">Continue to your pages</a>.
      </div>`
    }
    <p><a class="button" href="${start}" id="oidc-sign-in">Sign in with your organisation account</a></p>
    <p class="muted">Ask your partnership administrator if you cannot sign in.</p>`;
  return page({ title: 'Sign in', body, section: 'sign-in' });
}

/**
 * With JWT_JWKS_URL set but no OIDC_ISSUER_URL, the API takes the provider's tokens but the pages
 * have no way to sign anyone in: say so rather than offer a form that cannot work.
 */
export function noPageSignInPage(issuer: string): string {
  const body = html`<h1>Sign in</h1>
    <p class="lede">Sign-in to the pages is not set up for this partnership.</p>
    <div class="notice">
      The API accepts tokens from the identity provider <code>${issuer}</code>; the pages sign people in only
      when OpenID Connect is configured (<code>OIDC_ISSUER_URL</code>, <code>OIDC_CLIENT_ID</code>,
      <code>OIDC_REDIRECT_URI</code>, <code>OIDC_COOKIE_SECRET</code>: see the deployment guide).
    </div>
    <p>Ask your partnership administrator.</p>`;
  return page({ title: 'Sign in', body, section: 'sign-in' });
}
