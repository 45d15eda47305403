import { ProblemException } from '@throughline/platform';
import type { ListScope } from '@throughline/sharing';

/** Subjects on one page when the caller names no limit, and the most one page may hold. */
export const DEFAULT_LIST_LIMIT = 50;
export const MAX_LIST_LIMIT = 200;

/** Which page of which list: the scope, how many subjects, and the last subject already served. */
export interface ListPage {
  readonly scope: ListScope;
  readonly limit: number;
  readonly after?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const BASE64URL = /^[A-Za-z0-9_-]{1,200}$/;

const invalid = (detail: string): ProblemException =>
  new ProblemException(400, 'invalid-query', 'Invalid query parameter', detail);

/** The cursor that resumes a list after the subject: opaque to callers, who only send it back. */
export const listCursor = (lastSubjectId: string): string =>
  Buffer.from(JSON.stringify({ after: lastSubjectId }), 'utf8').toString('base64url');

/** The page a request names; anything malformed is a 400 problem, never a guess. */
export function parseListPage(query: { scope?: unknown; limit?: unknown; cursor?: unknown }): ListPage {
  const { scope, limit, cursor } = query;
  if (scope !== undefined && scope !== 'caseload' && scope !== 'partnership')
    throw invalid('scope must be caseload or partnership');
  let pageLimit = DEFAULT_LIST_LIMIT;
  if (limit !== undefined) {
    if (
      typeof limit !== 'string' ||
      !/^\d{1,3}$/.test(limit) ||
      Number(limit) < 1 ||
      Number(limit) > MAX_LIST_LIMIT
    )
      throw invalid(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}`);
    pageLimit = Number(limit);
  }
  const page = { scope: scope ?? 'caseload', limit: pageLimit } as const;
  if (cursor === undefined) return page;
  const after = typeof cursor === 'string' && BASE64URL.test(cursor) ? cursorSubject(cursor) : undefined;
  if (after === undefined) throw invalid('cursor must be the nextCursor of a previous page');
  return { ...page, after };
}

function cursorSubject(cursor: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
    const keys = Object.keys(parsed);
    const { after } = parsed as { after?: unknown };
    return keys.length === 1 && typeof after === 'string' && UUID.test(after) ? after : undefined;
  } catch {
    return undefined;
  }
}
