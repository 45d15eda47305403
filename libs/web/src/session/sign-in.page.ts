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

/**
 * With JWT_JWKS_URL set, people sign in at the partnership's identity provider; the demo personas
 * are off. The flow below is what plugs in (docs/web.md).
 */
export function oidcPage(issuer: string): string {
  const body = html`<h1>Sign in</h1>
    <p class="lede">
      This partnership signs people in through its identity provider; demo personas are turned off.
    </p>
    <div class="notice">
      Tokens are verified against the provider's keys (JWT_JWKS_URL), issuer <code>${issuer}</code>. They must
      carry <code>sub</code>, <code>agency</code> and <code>role</code> claims.
    </div>
    <h2>How sign-in works with an identity provider</h2>
    <ol>
      <li>
        This page sends you to the provider's authorization endpoint (OpenID Connect authorization code flow
        with PKCE and a state value).
      </li>
      <li>You sign in there; the provider redirects back to <code>/app/oidc/callback</code> with a code.</li>
      <li>
        The server exchanges the code for tokens at the provider, verifies the token with the same key set the
        API uses, and keeps it in an HttpOnly, SameSite=Strict cookie for <code>/app</code>.
      </li>
      <li>Pages then read exactly as the API does for that token; signing out clears the cookie.</li>
    </ol>
    <p>Ask your partnership administrator if you cannot sign in.</p>`;
  return page({ title: 'Sign in', body, section: 'sign-in' });
}
