import { Injectable } from '@nestjs/common';

/**
 * Which roles a person signing in may hold: those the partnership's agreement names. Like
 * KnownAgencies, the module that holds the agreement supplies the answer; until one does, none.
 */
@Injectable()
export class KnownRoles {
  private check: ((role: string) => Promise<boolean>) | undefined;

  /** Supplies the partnership's answer (called once, by whatever holds the agreement). */
  use(check: (role: string) => Promise<boolean>): void {
    this.check = check;
  }

  isKnown(role: string): Promise<boolean> {
    return this.check ? this.check(role) : Promise.resolve(false);
  }
}
