import { Module } from '@nestjs/common';
import { monotonicClock } from '@throughline/platform';
import { AuthGuard } from './auth.guard';
import { KnownAgencies } from './known-agencies';
import { RoleGate } from './role-gate';
import { CredentialLimits, RATE_LIMIT_CLOCK, RateLimitInterceptor } from './credential-limits';
import { TokenService } from './token.service';

@Module({
  providers: [
    TokenService,
    AuthGuard,
    KnownAgencies,
    RoleGate,
    CredentialLimits,
    RateLimitInterceptor,
    { provide: RATE_LIMIT_CLOCK, useValue: monotonicClock },
  ],
  exports: [TokenService, AuthGuard, KnownAgencies, RoleGate, CredentialLimits, RateLimitInterceptor],
})
export class AuthModule {}
