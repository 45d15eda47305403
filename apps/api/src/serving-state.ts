import { Injectable } from '@nestjs/common';

/**
 * Whether this process takes new work: readiness answers 503 with the reason while it does not,
 * so a load balancer moves traffic away before (or while) the process stops, and waits while the
 * demo partnership loads rather than sending requests that queue behind it.
 */
@Injectable()
export class ServingState {
  private held: string | undefined;

  /** The reason the process is not taking new work, if it is not. */
  get notServing(): string | undefined {
    return this.held;
  }

  hold(reason: string): void {
    this.held = reason;
  }

  release(reason: string): void {
    if (this.held === reason) this.held = undefined;
  }
}
