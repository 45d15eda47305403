import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService, type DisclosureAction, type SubjectDisclosure } from '@throughline/audit';
import { type Principal, RoleGate } from '@throughline/auth';
import { isPurposeOfUse, type PurposeOfUse, type View } from '@throughline/domain';
import { ProblemException } from '@throughline/platform';

export interface PageContext {
  readonly principal: Principal;
  readonly purpose: string;
  readonly request: Request & { id?: unknown };
  readonly response: Response;
}

export interface PageRead<T> {
  readonly result: T;
  readonly subjects: SubjectDisclosure[];
  readonly agreementVersion: string | null;
}

/**
 * Records page views the way the API records reads: the disclosure (or the refusal, for a 403 or
 * 404) is durable before the page is sent, and its id goes out in X-Disclosure-Id. A page that
 * shows two reads (the board and the de-selection register) sends both ids, comma-separated.
 */
/** The view each audited page reads, and the purpose when the route fixes it. */
const PAGE_VIEWS: Partial<Record<DisclosureAction, { view: View; purpose?: PurposeOfUse }>> = {
  'subject.list': { view: 'subjects' },
  'subject.view': { view: 'subjects' },
  'subject.timeline': { view: 'subjects' },
  'tasking.board': { view: 'tasking' },
  'tasking.deselections': { view: 'tasking' },
  'subject.access-export': { view: 'subject-access', purpose: 'subject-access' },
  'audit.export': { view: 'audit', purpose: 'audit' },
  'audit.tools': { view: 'audit', purpose: 'audit' },
};

@Injectable()
export class PageAudit {
  constructor(
    private readonly audit: AuditService,
    private readonly roles: RoleGate,
  ) {}

  /**
   * A page reads what the API route beside it reads, so it passes the same role rule first: the
   * agreement's role section, for the page's view and purpose. A page naming no view reads none.
   */
  private async gate(context: PageContext, action: DisclosureAction): Promise<void> {
    const page = PAGE_VIEWS[action];
    const purpose = page?.purpose ?? context.purpose;
    if (!page || !isPurposeOfUse(purpose))
      throw new ProblemException(
        403,
        'role-view',
        'Not a page for this role',
        `No view is read by ${action}`,
        {
          rule: 'role-view',
          clause: null,
        },
      );
    await this.roles.require(context.principal, page.view, purpose);
  }

  async recorded<T>(
    context: PageContext,
    action: DisclosureAction,
    subjectId: string | null,
    read: () => Promise<PageRead<T>>,
  ): Promise<T> {
    let outcome: PageRead<T>;
    try {
      await this.gate(context, action);
      outcome = await read();
    } catch (error) {
      if (error instanceof ProblemException && (error.getStatus() === 403 || error.getStatus() === 404)) {
        const refused = await this.audit.record({
          ...this.base(context, action),
          outcome: 'refused',
          agreementVersion: null,
          subjects: [],
          refusal: {
            status: error.getStatus(),
            reason: error.problem.title,
            subjectId,
            ...(typeof error.problem.rule === 'string' ? { rule: error.problem.rule } : {}),
            ...(typeof error.problem.clause === 'string' ? { clause: error.problem.clause } : {}),
          },
        });
        this.announce(context.response, refused.content.id);
        // Named as recorded, so the page's error handling does not record it again.
        const { type, title, status, detail, instance: _instance, ...extensions } = error.problem;
        throw new ProblemException(status, type.slice(type.lastIndexOf('/') + 1), title, detail, {
          ...extensions,
          disclosureId: refused.content.id,
        });
      }
      throw error;
    }
    const record = await this.audit.record({
      ...this.base(context, action),
      outcome: 'disclosed',
      agreementVersion: outcome.agreementVersion,
      subjects: outcome.subjects,
      refusal: null,
    });
    this.announce(context.response, record.content.id);
    return outcome.result;
  }

  private base(context: PageContext, action: DisclosureAction) {
    return {
      requestId: typeof context.request.id === 'string' ? context.request.id : null,
      principal: {
        kind: context.principal.kind,
        user: context.principal.id,
        agency: context.principal.agency,
        role: context.principal.role,
      },
      action,
      purpose: context.purpose,
    };
  }

  private announce(response: Response, id: string): void {
    const earlier = response.getHeader('X-Disclosure-Id');
    response.setHeader('X-Disclosure-Id', typeof earlier === 'string' ? `${earlier}, ${id}` : id);
  }
}
