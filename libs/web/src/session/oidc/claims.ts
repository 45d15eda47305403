import type { Principal } from '@throughline/auth';

const AGENCY = /^[a-z][a-z0-9-]{1,31}$/;
/**
 * Any printable role gets as far as the agreement, which refuses one it does not name on the
 * record; only what could not be a role name at all (spaces, control characters, overlong) stops here.
 */
const ROLE = /^[\x21-\x7e]{1,64}$/;

export interface ClaimNames {
  readonly agencyClaim: string;
  readonly roleClaim: string;
}

/**
 * A claim holding one value: a string, or a list of exactly one (Entra ID sends app roles as a
 * list). Several roles would leave the choice to us; the provider must send one.
 */
function single(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.length === 1 && typeof value[0] === 'string') return value[0];
  return null;
}

export type ClaimsResult =
  { readonly ok: true; readonly principal: Principal } | { readonly ok: false; readonly detail: string };

/**
 * Who an ID token (already verified by the OpenID client: issuer, audience, expiry, nonce) names,
 * as the pages' principal. Only `sub` and the configured agency and role claims are read; a person
 * signs in here, so a token saying `kind: system` is refused.
 */
export function principalFromClaims(claims: Record<string, unknown>, names: ClaimNames): ClaimsResult {
  const sub = claims.sub;
  if (typeof sub !== 'string' || sub === '' || sub.length > 255)
    return { ok: false, detail: 'The identity provider sent no subject (sub) for you' };
  const agency = single(claims[names.agencyClaim]);
  if (agency === null || !AGENCY.test(agency))
    return {
      ok: false,
      detail: `The identity provider sent no single agency in the "${names.agencyClaim}" claim`,
    };
  const role = single(claims[names.roleClaim]);
  if (role === null || !ROLE.test(role))
    return {
      ok: false,
      detail: `The identity provider sent no single role in the "${names.roleClaim}" claim`,
    };
  if (claims.kind !== undefined && claims.kind !== 'person')
    return { ok: false, detail: 'Agency systems use the API; the pages are for people' };
  return { ok: true, principal: { kind: 'person', id: sub, agency, role, sources: [] } };
}
