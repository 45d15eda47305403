import { ViewGuard } from '@throughline/auth';

/** The audit tools, read for `audit` by the roles the agreement names (the IG lead). */
export const IgLeadGuard = ViewGuard('audit', 'audit');

/** Subject access exports, read for `subject-access` by the roles the agreement names. */
export const SubjectAccessGuard = ViewGuard('subject-access', 'subject-access');

/** The identity tools (records that may be one person), read for `audit` by the roles the agreement names. */
export const IdentityToolsGuard = ViewGuard('identity', 'audit');
