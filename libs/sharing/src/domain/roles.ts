import { PURPOSES_OF_USE, type PurposeOfUse, ROLES, type View } from '@throughline/domain';
import type { Agreement, RoleTerms } from './agreement';

/** Who asks, as far as the role rule is concerned. */
export interface RoleHolder {
  /** Only a person reads in a role. */
  readonly kind: string;
  readonly role: string;
}

export type RoleDecision =
  | {
      readonly allowed: true;
      /** The agreement section that allowed it, e.g. `roles.tasking-chair`. */
      readonly clause: string;
    }
  | {
      readonly allowed: false;
      /** `role-view`: the role reads nothing of this view; `role-purpose`: not for this purpose. */
      readonly rule: 'role-view' | 'role-purpose';
      readonly clause: string | null;
      readonly title: string;
      readonly detail: string;
    };

const IG_ROLE = 'ig-lead';
const SYSTEM_ROLE = 'system';

/**
 * The roles a person may hold: those the platform names (its routes are written for them) and any
 * other the agreement in force names. `system` is an agency system's, never a person's.
 */
export function personRoles(agreement: Agreement | null): readonly string[] {
  return [
    ...new Set([...ROLES.filter((role) => role !== SYSTEM_ROLE), ...Object.keys(agreement?.roles ?? {})]),
  ];
}

/**
 * Whether a person may sign in in this role: one the agreement in force names in its role section,
 * or, for an agreement without one, one of `personRoles`. Without an agreement, none.
 */
export function isAgreementRole(agreement: Agreement | null, role: string): boolean {
  if (!agreement || role === SYSTEM_ROLE) return false;
  return agreement.roles === null
    ? personRoles(agreement).includes(role)
    : Object.hasOwn(agreement.roles, role);
}

/**
 * The rules that stood before agreements had a role section, for an agreement loaded then: any
 * person read subjects for any purpose, the tasking meeting's roles and purposes read the board,
 * the IG lead the audit tools and exports. Loading an agreement with a role section ends them.
 */
function legacyTerms(agreement: Agreement, role: string): RoleTerms {
  const meeting = agreement.taskingMeeting.roles.includes(role) ? agreement.taskingMeeting.purposes : null;
  return {
    ...(role === IG_ROLE
      ? { audit: ['audit'], 'subject-access': ['subject-access'] }
      : meeting
        ? {}
        : {
            subjects: PURPOSES_OF_USE,
          }),
    ...(meeting ? { tasking: meeting } : {}),
  };
}

/**
 * Whether a role may read a view for a purpose: the agreement's role section decides, deny by
 * default (a role it does not name reads nothing; a system reads no view, it publishes). Every
 * route and the read policy ask here, so the rule is decided once. What a permitted reader then
 * sees is the clauses' business (`buildReadPolicy`).
 */
export function decideRoleAccess(
  agreement: Agreement | null,
  holder: RoleHolder,
  view: View,
  purpose: PurposeOfUse,
): RoleDecision {
  const section = `roles.${holder.role}`;
  if (holder.kind !== 'person')
    return {
      allowed: false,
      rule: 'role-view',
      clause: null,
      title: 'Not a reader',
      detail: `Agency systems publish; ${view} is read by people in the roles the agreement names`,
    };
  if (!agreement)
    return {
      allowed: false,
      rule: 'role-view',
      clause: null,
      title: 'No agreement in force',
      detail: 'Nothing is read until the partnership has loaded its agreement',
    };
  const terms = agreement.roles === null ? legacyTerms(agreement, holder.role) : agreement.roles[holder.role];
  const purposes = terms?.[view];
  if (!purposes)
    return {
      allowed: false,
      rule: 'role-view',
      clause: terms ? section : null,
      title: 'Role may not read this view',
      detail: terms
        ? `The agreement's ${section} does not open ${view} to the ${holder.role} role`
        : `The agreement names no role ${holder.role}: it reads nothing`,
    };
  if (!purposes.includes(purpose))
    return {
      allowed: false,
      rule: 'role-purpose',
      clause: section,
      title: 'Purpose not allowed for this role',
      detail: `The agreement's ${section} opens ${view} to the ${holder.role} role for ${purposes.join(', ')} only`,
    };
  return { allowed: true, clause: section };
}
