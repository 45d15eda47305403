import { Module } from '@nestjs/common';
import { monotonicClock } from '@throughline/platform';
import { Admission } from './admission';
import { AuthGuard } from './auth.guard';
import { KnownAgencies } from './known-agencies';
import { KnownRoles } from './known-roles';
import { RoleGate } from './role-gate';
import { CredentialLimits, RATE_LIMIT_CLOCK } from './credential-limits';
import { TokenService } from './token.service';

@Module({
  providers: [
    TokenService,
    AuthGuard,
    KnownAgencies,
    KnownRoles,
    RoleGate,
    CredentialLimits,
    Admission,
    { provide: RATE_LIMIT_CLOCK, useValue: monotonicClock },
  ],
  exports: [TokenService, AuthGuard, KnownAgencies, KnownRoles, RoleGate, CredentialLimits, Admission],
})
export class AuthModule {}
