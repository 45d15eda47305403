import { Inject, Injectable } from '@nestjs/common';
import {
  type Clock,
  monotonicClock,
  RateLimiter,
  THROUGHLINE_CONFIG,
  type ThroughlineConfig,
  TooManyRequestsException,
} from '@throughline/platform';
import type { Principal } from './principal';

/** The clock the credential limits read; a test module may provide its own. */
export const RATE_LIMIT_CLOCK = Symbol('RATE_LIMIT_CLOCK');

/**
 * What each credential may take per second: requests, and events published. Kept in this process's
 * memory, so with several API processes each allows its own share (docs/deploy.md).
 */
@Injectable()
export class CredentialLimits {
  private readonly requests: RateLimiter;
  private readonly events: RateLimiter;
  /** Bearer tokens already authenticated, and the credential each stands for (see refuseEarly). */
  private readonly credentials = new Map<string, string>();

  constructor(
    @Inject(THROUGHLINE_CONFIG) config: ThroughlineConfig,
    @Inject(RATE_LIMIT_CLOCK) clock: Clock = monotonicClock,
  ) {
    this.requests = new RateLimiter(config.limits.requests, clock);
    this.events = new RateLimiter(config.limits.events, clock);
  }

  /** Charges one request to the credential; refuses with 429 when its bucket is empty. */
  chargeRequest(principal: Principal, authorization?: string): void {
    const key = keyOf(principal);
    const token = bearerOf(authorization);
    if (token && !this.credentials.has(token)) {
      if (this.credentials.size >= MAX_REMEMBERED_TOKENS) this.credentials.clear();
      this.credentials.set(token, key);
    }
    const wait = this.requests.take(key);
    if (wait > 0) throw this.tooManyRequests(wait);
  }

  /** Charges a batch's events to the credential, all or none; refuses the whole batch with 429. */
  chargeEvents(principal: Principal, count: number): void {
    const wait = this.events.take(keyOf(principal), count);
    if (wait > 0) throw this.tooManyEvents(wait, `this batch of ${count} was not stored`);
  }

  /**
   * Before the body is read: a token already seen whose credential has no request left, or, when
   * publishing, not one event left, is refused now, without parsing a body that would be refused
   * anyway. A flood past its limit then costs a lookup per request, not a parse of a megabyte.
   * Nothing is charged; a token not seen yet goes on to be authenticated as usual.
   */
  refuseEarly(authorization: string | undefined, publishing: boolean): TooManyRequestsException | undefined {
    const token = bearerOf(authorization);
    const key = token && this.credentials.get(token);
    if (!key) return undefined;
    const requestWait = this.requests.peek(key);
    if (requestWait > 0) return this.tooManyRequests(requestWait);
    const eventWait = publishing ? this.events.peek(key) : 0;
    return eventWait > 0 ? this.tooManyEvents(eventWait, 'nothing was stored') : undefined;
  }

  private tooManyRequests(wait: number): TooManyRequestsException {
    const { perSecond, burst } = this.requests.rate;
    return new TooManyRequestsException(
      'rate-limited',
      'Too many requests',
      `This credential may make ${perSecond} requests a second (bursts of ${burst})`,
      wait,
      { limit: 'requests', perSecond, burst },
    );
  }

  private tooManyEvents(wait: number, outcome: string): TooManyRequestsException {
    const { perSecond, burst } = this.events.rate;
    return new TooManyRequestsException(
      'rate-limited',
      'Too many events',
      `This credential may publish ${perSecond} events a second (bursts of ${burst}); ${outcome}`,
      wait,
      { limit: 'events', perSecond, burst },
    );
  }
}

/** Past this many distinct tokens the memory of them starts again: it only ever saves work. */
const MAX_REMEMBERED_TOKENS = 10_000;

const bearerOf = (authorization: string | undefined): string | undefined => {
  const [scheme, token] = authorization?.split(' ') ?? [];
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
};

/** Agency and id together: the same user id issued by two agencies is two credentials. */
const keyOf = (principal: Principal): string => `${principal.kind}:${principal.agency}:${principal.id}`;
