import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuditService, type DisclosureAction, type SubjectDisclosure } from '@throughline/audit';
import type { Principal } from '@throughline/auth';
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
@Injectable()
export class PageAudit {
  constructor(private readonly audit: AuditService) {}

  async recorded<T>(
    context: PageContext,
    action: DisclosureAction,
    subjectId: string | null,
    read: () => Promise<PageRead<T>>,
  ): Promise<T> {
    let outcome: PageRead<T>;
    try {
      outcome = await read();
    } catch (error) {
      if (error instanceof ProblemException && (error.getStatus() === 403 || error.getStatus() === 404)) {
        const refused = await this.audit.record({
          ...this.base(context, action),
          outcome: 'refused',
          agreementVersion: null,
          subjects: [],
          refusal: { status: error.getStatus(), reason: error.problem.title, subjectId },
        });
        this.announce(context.response, refused.content.id);
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
