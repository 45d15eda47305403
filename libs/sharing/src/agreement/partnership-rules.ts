import { Injectable, type OnModuleInit } from '@nestjs/common';
import { KnownAgencies, RoleGate } from '@throughline/auth';
import { isPartnershipAgency } from '../domain/agreement';
import { decideRoleAccess } from '../domain/roles';
import { AgreementService } from './agreement.service';

/**
 * Gives authentication the partnership's rules, decided by the agreement in force: which agencies
 * belong to it, and which roles read which views for which purposes.
 */
@Injectable()
export class PartnershipRules implements OnModuleInit {
  constructor(
    private readonly known: KnownAgencies,
    private readonly roles: RoleGate,
    private readonly agreements: AgreementService,
  ) {}

  onModuleInit(): void {
    this.known.use(async (agency) => isPartnershipAgency(await this.agreements.current(), agency));
    this.roles.use(async (principal, view, purpose) => {
      const agreement = await this.agreements.current();
      const decision = decideRoleAccess(agreement, principal, view, purpose);
      if (decision.allowed) return null;
      const { rule, clause, title, detail } = decision;
      return { rule, clause, title, detail, agreementVersion: agreement?.version ?? null };
    });
  }
}
