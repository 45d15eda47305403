import { isPartnershipId, isPurposeOfUse } from '@throughline/domain';
import type { DisclosureAction, DisclosureContent } from './disclosure';

/** The refusals put on the record: a bad or missing purpose, an unknown agency, a forbidden role, a subject not shown. */
export const RECORDED_REFUSAL_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 404]);

/** What a refused request is known by; none of it comes from the request body or query. */
export interface RefusedRequest {
  readonly principal: {
    readonly kind: string;
    readonly id: string;
    readonly agency: string;
    readonly role: string;
  };
  readonly requestId: string | null;
  readonly method: string;
  /** The route's pattern, e.g. `/v1/subjects/:subjectId`. */
  readonly route: string;
  /** The `subjectId` path parameter as sent, if the route has one. */
  readonly subjectId: string | undefined;
  /** The X-Purpose-Of-Use header as sent. */
  readonly purpose: string | undefined;
  readonly problem: {
    readonly status: number;
    readonly type: string;
    readonly title: string;
    readonly [extension: string]: unknown;
  };
}

const ACTIONS: readonly (readonly [method: string, route: RegExp, action: DisclosureAction])[] = [
  ['GET', /^\/v1\/subjects$/, 'subject.list'],
  ['GET', /^\/v1\/subjects\/:subjectId$/, 'subject.view'],
  ['GET', /^\/v1\/subjects\/:subjectId\/timeline$/, 'subject.timeline'],
  ['GET', /^\/v1\/subjects\/:subjectId\/access-export$/, 'subject.access-export'],
  ['POST', /^\/v1\/subjects\/:subjectId\/break-glass$/, 'subject.break-glass'],
  ['GET', /^\/v1\/inbox(\/stream)?$/, 'inbox.list'],
  ['*', /^\/v1\/inbox\/:eventId(\/read)?$/, 'inbox.read'],
  ['GET', /^\/v1\/tasking\/board$/, 'tasking.board'],
  ['GET', /^\/v1\/tasking\/deselections$/, 'tasking.deselections'],
  ['GET', /^\/v1\/meetings\/:meetingId\/agenda$/, 'tasking.agenda'],
  ['GET', /^\/v1\/meetings\/:meetingId\/minutes(\.md)?$/, 'tasking.minutes'],
  ['POST', /^\/v1\/meetings\/:meetingId\/(decisions|actions)$/, 'tasking.decision'],
  ['GET', /^\/v1\/audit\/export$/, 'audit.export'],
  ['*', /^\/v1\/audit\/break-glass(\/|$)/, 'audit.break-glass-review'],
  ['*', /^\/v1\/audit\/reviews(\/|$)/, 'records.review'],
  ['*', /^\/v1\/audit\/restrictions(\/|$)/, 'records.restriction'],
  ['*', /^\/v1\/audit(\/|$)/, 'audit.tools'],
  ['*', /^\/v1\/projections(\/|$)/, 'platform.status'],
  ['POST', /^\/v1\/events$/, 'events.ingest'],
  // The pages beside the API routes read the same things.
  ['GET', /^\/app\/subjects$/, 'subject.list'],
  ['GET', /^\/app\/subjects\/:subjectId$/, 'subject.view'],
  ['GET', /^\/app\/subjects\/:subjectId\/timeline$/, 'subject.timeline'],
  ['GET', /^\/app\/inbox(\/stream)?$/, 'inbox.list'],
  ['GET', /^\/app\/inbox\/:eventId$/, 'inbox.read'],
  ['GET', /^\/app\/board(\/released\/:subjectId)?$/, 'tasking.board'],
  ['GET', /^\/app\/board\/deselections$/, 'tasking.deselections'],
  ['GET', /^\/app\/meetings\/:meetingId$/, 'tasking.agenda'],
  ['GET', /^\/app\/meetings\/:meetingId\/minutes(\.md)?$/, 'tasking.minutes'],
  ['POST', /^\/app\/meetings\/:meetingId\/(decisions|actions)$/, 'tasking.decision'],
  ['GET', /^\/app\/ig\/access-export$/, 'subject.access-export'],
  ['*', /^\/app\/ig\/break-glass(\/|$)/, 'audit.break-glass-review'],
  ['*', /^\/app\/ig\/reviews(\/|$)/, 'records.review'],
  ['*', /^\/app\/ig\/restrictions(\/|$)/, 'records.restriction'],
  ['*', /^\/app\/ig(\/|$)/, 'audit.tools'],
];

/** The use case a route serves, as the disclosure register names it. */
export function actionOfRoute(method: string, route: string): DisclosureAction {
  const found = ACTIONS.find(([m, pattern]) => (m === '*' || m === method) && pattern.test(route));
  return found?.[2] ?? 'request';
}

const slugOf = (type: string): string => type.slice(type.lastIndexOf('/') + 1);

/**
 * The audit record of one refused request, or null when it is not one to record: not among the
 * recorded statuses, or already recorded by the use case that refused it (it names the record).
 * Pseudonymised like every record: the subject by the partnership id asked for, nothing else
 * about the person; the purpose only when it is one of the vocabulary (an unknown one is the
 * reason itself, and free text is never kept).
 */
export function refusalRecord(request: RefusedRequest): Omit<DisclosureContent, 'id' | 'at'> | null {
  const { problem, principal } = request;
  if (!RECORDED_REFUSAL_STATUSES.has(problem.status)) return null;
  if (typeof problem.disclosureId === 'string') return null;
  const subjectId =
    request.subjectId !== undefined && isPartnershipId(request.subjectId)
      ? request.subjectId.toLowerCase()
      : null;
  return {
    requestId: request.requestId,
    principal: { kind: principal.kind, user: principal.id, agency: principal.agency, role: principal.role },
    action: actionOfRoute(request.method, request.route),
    outcome: 'refused',
    purpose: request.purpose !== undefined && isPurposeOfUse(request.purpose) ? request.purpose : null,
    agreementVersion: typeof problem.agreementVersion === 'string' ? problem.agreementVersion : null,
    subjects: [],
    refusal: {
      status: problem.status,
      reason: problem.title,
      subjectId,
      rule: typeof problem.rule === 'string' ? problem.rule : slugOf(problem.type),
      clause: typeof problem.clause === 'string' ? problem.clause : null,
      route: `${request.method} ${request.route}`,
    },
  };
}
