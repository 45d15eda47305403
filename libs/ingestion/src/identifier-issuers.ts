import { Injectable } from '@nestjs/common';
import { DEFAULT_ISSUING_AGENCIES, type IssuingAgencies } from '@throughline/domain';

/**
 * Which agency issues each identifier scheme, as the agreement in force says: only it may register
 * a person under one of its identifiers or link one. Whatever holds the agreement supplies it
 * (sharing does); until then, and for an agreement that names none, the shipped defaults apply.
 */
@Injectable()
export class IdentifierIssuers {
  private source: (() => Promise<IssuingAgencies>) | undefined;

  /** Supplies the partnership's answer (called once, by whatever holds the agreement). */
  use(source: () => Promise<IssuingAgencies>): void {
    this.source = source;
  }

  current(): Promise<IssuingAgencies> {
    return this.source ? this.source() : Promise.resolve(DEFAULT_ISSUING_AGENCIES);
  }
}
