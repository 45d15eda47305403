import { Injectable } from '@nestjs/common';
import { AuditService, type DisclosureAction } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
import { ProblemException } from '@throughline/platform';
import type { BreakGlassRefusal } from '../../domain/break-glass';

export interface RefusalContext {
  readonly principal: Principal;
  readonly action: Extract<DisclosureAction, 'subject.break-glass' | 'audit.break-glass-review'>;
  readonly subjectId: string | null;
  readonly agreementVersion: string | null;
  readonly requestId?: string | undefined;
}

/**
 * Records a refused claim or review in the audit log, as refused reads are, so it appears among
 * the refusals with the rule and clause that decided; the problem is answered once it is durable.
 */
@Injectable()
export class BreakGlassRefusals {
  constructor(private readonly audit: AuditService) {}

  async refuse(context: RefusalContext, refusal: BreakGlassRefusal): Promise<ProblemException> {
    const record = await this.audit.record({
      requestId: context.requestId ?? null,
      principal: {
        kind: context.principal.kind,
        user: context.principal.id,
        agency: context.principal.agency,
        role: context.principal.role,
      },
      action: context.action,
      outcome: 'refused',
      purpose: null,
      agreementVersion: context.agreementVersion,
      subjects: [],
      refusal: {
        status: refusal.status,
        reason: refusal.title,
        subjectId: context.subjectId,
        rule: refusal.rule,
        clause: refusal.clause,
      },
    });
    return new ProblemException(refusal.status, refusal.rule, refusal.title, refusal.detail, {
      rule: refusal.rule,
      clause: refusal.clause,
      disclosureId: record.content.id,
      ...(refusal.errors ? { errors: refusal.errors } : {}),
    });
  }
}
