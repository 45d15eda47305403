import { Injectable, type OnModuleInit } from '@nestjs/common';
import { KnownAgencies, KnownRoles, RoleGate } from '@throughline/auth';
import { DEFAULT_ISSUING_AGENCIES } from '@throughline/domain';
import { IdentifierIssuers } from '@throughline/ingestion';
import { isPartnershipAgency } from '../domain/agreement';
import { decideRoleAccess, isAgreementRole } from '../domain/roles';
import { AgreementService } from './agreement.service';

/**
 * Gives authentication and ingestion the partnership's rules, decided by the agreement in force:
 * which agencies belong to it, which roles read which views for which purposes, and which agency
 * issues each identifier scheme.
 */
@Injectable()
export class PartnershipRules implements OnModuleInit {
  constructor(
    private readonly known: KnownAgencies,
    private readonly knownRoles: KnownRoles,
    private readonly roles: RoleGate,
    private readonly agreements: AgreementService,
    private readonly issuers: IdentifierIssuers,
  ) {}

  onModuleInit(): void {
    this.issuers.use(async () => (await this.agreements.current())?.identifiers ?? DEFAULT_ISSUING_AGENCIES);
    this.known.use(async (agency) => isPartnershipAgency(await this.agreements.current(), agency));
    this.knownRoles.use(async (role) => isAgreementRole(await this.agreements.current(), role));
    this.roles.use(async (principal, view, purpose) => {
      const agreement = await this.agreements.current();
      const decision = decideRoleAccess(agreement, principal, view, purpose);
      if (decision.allowed) return null;
      const { rule, clause, title, detail } = decision;
      return { rule, clause, title, detail, agreementVersion: agreement?.version ?? null };
    });
  }
}
