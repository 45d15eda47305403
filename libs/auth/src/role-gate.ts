import { Injectable } from '@nestjs/common';
import type { PurposeOfUse, View } from '@throughline/domain';
import { ProblemException } from '@throughline/platform';
import type { Principal } from './principal';

/** Why a role may not read a view for a purpose: the rule and the agreement section that decided. */
export interface RoleRefusal {
  readonly rule: string;
  readonly clause: string | null;
  readonly title: string;
  readonly detail: string;
  readonly agreementVersion: string | null;
}

/**
 * The gate every route passes before it reads: may this principal's role read this view for this
 * purpose? The partnership's agreement decides (`decideRoleAccess` in the sharing context, which
 * supplies the answer here so that routes in any context ask the one rule). Until it does, no one
 * reads anything.
 */
@Injectable()
export class RoleGate {
  private decide:
    ((principal: Principal, view: View, purpose: PurposeOfUse) => Promise<RoleRefusal | null>) | undefined;

  /** Supplies the partnership's rule (called once, by whatever holds the agreement). */
  use(
    decide: (principal: Principal, view: View, purpose: PurposeOfUse) => Promise<RoleRefusal | null>,
  ): void {
    this.decide = decide;
  }

  /** Resolves when the role may read; otherwise a 403 problem naming the rule and section. */
  async require(principal: Principal, view: View, purpose: PurposeOfUse): Promise<void> {
    const refusal = this.decide
      ? await this.decide(principal, view, purpose)
      : {
          rule: 'role-view',
          clause: null,
          title: 'No role rules',
          detail: 'Nothing is read until the partnership agreement is in force',
          agreementVersion: null,
        };
    if (!refusal) return;
    throw new ProblemException(403, refusal.rule, refusal.title, refusal.detail, {
      rule: refusal.rule,
      clause: refusal.clause,
      agreementVersion: refusal.agreementVersion,
    });
  }
}
