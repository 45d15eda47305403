import { ProblemException } from '@throughline/platform';
import type { InboxPage } from '../../domain/inbox';

/** Notifications on one page when the caller names no limit, and the most one page may hold. */
export const DEFAULT_INBOX_LIMIT = 25;
export const MAX_INBOX_LIMIT = 100;

const invalid = (detail: string): ProblemException =>
  new ProblemException(400, 'invalid-query', 'Invalid query parameter', detail);

const POSITION = /^[1-9]\d{0,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const flag = (value: unknown, name: string): boolean => {
  if (value === undefined || value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw invalid(`${name} must be true or false`);
};

/** The page a request names; anything malformed is a 400 problem, never a guess. */
export function parseInboxPage(query: {
  limit?: unknown;
  before?: unknown;
  unread?: unknown;
  mine?: unknown;
}): InboxPage {
  const { limit, before } = query;
  let pageLimit = DEFAULT_INBOX_LIMIT;
  if (limit !== undefined && limit !== '') {
    if (
      typeof limit !== 'string' ||
      !/^\d{1,3}$/.test(limit) ||
      Number(limit) < 1 ||
      Number(limit) > MAX_INBOX_LIMIT
    )
      throw invalid(`limit must be an integer from 1 to ${MAX_INBOX_LIMIT}`);
    pageLimit = Number(limit);
  }
  if (before !== undefined && before !== '' && (typeof before !== 'string' || !POSITION.test(before)))
    throw invalid('before must be the nextBefore of a previous page');
  return {
    limit: pageLimit,
    ...(typeof before === 'string' && before !== '' ? { before: Number(before) } : {}),
    unreadOnly: flag(query.unread, 'unread'),
    yoursOnly: flag(query.mine, 'mine'),
  };
}

/** A notification's id: the event's id in the log. */
export function requireEventId(raw: string): string {
  if (!UUID.test(raw))
    throw new ProblemException(
      400,
      'invalid-event-id',
      'Invalid notification id',
      'eventId must be an event id (UUID)',
    );
  return raw.toLowerCase();
}

/**
 * The position a reconnecting event stream was told up to (its Last-Event-ID): a position, or
 * nothing, for a value that is not one (the stream then starts from now).
 */
export function lastEventPosition(raw: unknown): number | undefined {
  return typeof raw === 'string' && POSITION.test(raw) ? Number(raw) : undefined;
}

/** Where a stream starts when asked to (`from`, a list's `asOf`): a position, else a 400 problem. */
export function streamStart(raw: unknown): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === '0') return 0;
  if (typeof raw !== 'string' || !POSITION.test(raw)) throw invalid('from must be the asOf of a list');
  return Number(raw);
}
