import { Logger } from '@nestjs/common';
import type { AuditCheckpoint } from '../domain/disclosure';
import type { AuditWitness } from './audit-witness';

/** Checkpoints held for a witness that does not answer; past this the oldest go (a later one covers them). */
const MAX_PENDING = 1000;

export interface WitnessDelivery {
  readonly witness: string;
  readonly published: number;
  readonly failures: number;
  readonly pending: number;
  /** Checkpoints given up because MAX_PENDING were waiting. */
  readonly dropped: number;
  readonly lastError: string | null;
}

/**
 * Publishes each checkpoint to every witness after it is stored, in order, on its own: a slow or
 * unreachable witness delays only itself, never a read being recorded (decision 0024). A failed
 * publish is logged, counted and retried, waiting longer each time up to maxDelayMs.
 */
export class WitnessPublisher {
  private readonly logger = new Logger('AuditWitness');
  private readonly lanes: Lane[];

  constructor(
    witnesses: readonly AuditWitness[],
    private readonly retry: { readonly firstDelayMs: number; readonly maxDelayMs: number } = {
      firstDelayMs: 1_000,
      maxDelayMs: 30_000,
    },
  ) {
    this.lanes = witnesses.map((witness) => new Lane(witness, this.retry, this.logger));
  }

  get witnesses(): readonly AuditWitness[] {
    return this.lanes.map((lane) => lane.witness);
  }

  publish(checkpoint: AuditCheckpoint): void {
    for (const lane of this.lanes) lane.push(checkpoint);
  }

  deliveries(): WitnessDelivery[] {
    return this.lanes.map((lane) => lane.delivery());
  }

  /** Until every witness has what it was given, or graceMs pass; then stops, naming what was left. */
  async close(graceMs: number): Promise<void> {
    await Promise.all(this.lanes.map((lane) => lane.close(graceMs)));
  }
}

class Lane {
  private readonly queue: AuditCheckpoint[] = [];
  private published = 0;
  private failures = 0;
  private dropped = 0;
  private lastError: string | null = null;
  private running: Promise<void> | undefined;
  private closing = false;
  private wake: (() => void) | undefined;

  constructor(
    readonly witness: AuditWitness,
    private readonly retry: { readonly firstDelayMs: number; readonly maxDelayMs: number },
    private readonly logger: Logger,
  ) {}

  push(checkpoint: AuditCheckpoint): void {
    if (this.closing) return;
    this.queue.push(checkpoint);
    if (this.queue.length > MAX_PENDING) {
      this.queue.shift();
      this.dropped++;
    }
    this.running ??= this.run().finally(() => (this.running = undefined));
  }

  delivery(): WitnessDelivery {
    return {
      witness: this.witness.name,
      published: this.published,
      failures: this.failures,
      pending: this.queue.length,
      dropped: this.dropped,
      lastError: this.lastError,
    };
  }

  private async run(): Promise<void> {
    let delay = this.retry.firstDelayMs;
    while (this.queue.length > 0) {
      const checkpoint = this.queue[0]!;
      try {
        await this.witness.publish(checkpoint);
        if (this.queue[0] === checkpoint) this.queue.shift();
        this.published++;
        if (this.lastError !== null)
          this.logger.log(`${this.witness.name} took checkpoint ${checkpoint.seq} after failures`);
        this.lastError = null;
        delay = this.retry.firstDelayMs;
      } catch (error) {
        this.failures++;
        const message = error instanceof Error ? error.message : String(error);
        // Once per spell of failures, not once per retry.
        if (this.lastError === null)
          this.logger.warn(
            `audit checkpoint ${checkpoint.seq} not published to ${this.witness.name}: ${message}; retrying`,
          );
        this.lastError = message;
        if (this.closing) return;
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, delay);
          timer.unref();
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = undefined;
        delay = Math.min(delay * 2, this.retry.maxDelayMs);
      }
    }
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    // A lane waiting to retry tries once more now rather than after its delay.
    this.wake?.();
    if (this.running) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        this.running,
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, graceMs);
          timer.unref();
        }),
      ]);
      clearTimeout(timer);
    }
    if (this.queue.length > 0)
      this.logger.error(
        `${this.queue.length} audit checkpoint(s) up to ${this.queue.at(-1)!.seq} not published to ${this.witness.name}: the next process to sign a checkpoint publishes a later one`,
      );
    await this.witness.close().catch(() => undefined);
  }
}
