import {
  type CallHandler,
  type ExecutionContext,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import type { Observable } from 'rxjs';
import {
  type Clock,
  monotonicClock,
  RateLimiter,
  THROUGHLINE_CONFIG,
  type ThroughlineConfig,
  TooManyRequestsException,
} from '@throughline/platform';
import type { AuthenticatedRequest } from './auth.guard';
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

  constructor(
    @Inject(THROUGHLINE_CONFIG) config: ThroughlineConfig,
    @Inject(RATE_LIMIT_CLOCK) clock: Clock = monotonicClock,
  ) {
    this.requests = new RateLimiter(config.limits.requests, clock);
    this.events = new RateLimiter(config.limits.events, clock);
  }

  /** Charges one request to the credential; refuses with 429 when its bucket is empty. */
  chargeRequest(principal: Principal): void {
    const wait = this.requests.take(keyOf(principal));
    if (wait > 0)
      throw new TooManyRequestsException(
        'rate-limited',
        'Too many requests',
        `This credential may make ${this.requests.rate.perSecond} requests a second (bursts of ${this.requests.rate.burst})`,
        wait,
        { limit: 'requests', perSecond: this.requests.rate.perSecond, burst: this.requests.rate.burst },
      );
  }

  /** Charges a batch's events to the credential, all or none; refuses the whole batch with 429. */
  chargeEvents(principal: Principal, count: number): void {
    const wait = this.events.take(keyOf(principal), count);
    if (wait > 0)
      throw new TooManyRequestsException(
        'rate-limited',
        'Too many events',
        `This credential may publish ${this.events.rate.perSecond} events a second (bursts of ${this.events.rate.burst}); this batch of ${count} was not stored`,
        wait,
        { limit: 'events', perSecond: this.events.rate.perSecond, burst: this.events.rate.burst },
      );
  }
}

/** Agency and id together: the same user id issued by two agencies is two credentials. */
const keyOf = (principal: Principal): string => `${principal.kind}:${principal.agency}:${principal.id}`;

/**
 * Charges every authenticated request to its credential. Interceptors run after every guard, so
 * the principal AuthGuard set is there; a request no guard authenticated (health, docs, the web
 * pages' own sessions) passes untouched.
 */
@Injectable()
export class RateLimitInterceptor implements NestInterceptor {
  constructor(private readonly limits: CredentialLimits) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() === 'http') {
      const principal = context.switchToHttp().getRequest<AuthenticatedRequest>().principal;
      if (principal) this.limits.chargeRequest(principal);
    }
    return next.handle();
  }
}
