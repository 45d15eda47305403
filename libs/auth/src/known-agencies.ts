import { Injectable } from '@nestjs/common';

/**
 * Which agencies a verified token may name. A signature proves who issued the token, not that the
 * agency it names belongs to the partnership; the partnership's agreement says which do, so the
 * module that holds the agreement supplies the answer. Until one does, no agency is known.
 */
@Injectable()
export class KnownAgencies {
  private check: ((agency: string) => Promise<boolean>) | undefined;

  /** Supplies the partnership's answer (called once, by whatever holds the agreement). */
  use(check: (agency: string) => Promise<boolean>): void {
    this.check = check;
  }

  isKnown(agency: string): Promise<boolean> {
    return this.check ? this.check(agency) : Promise.resolve(false);
  }
}
