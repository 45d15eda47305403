import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { Inject, Injectable, Logger, type OnApplicationShutdown, Optional } from '@nestjs/common';
import { EventStore, type Subscription } from '@throughline/event-store';
import { heapUnderPressure } from '@throughline/platform';
import { StaleProjectionWriteError } from '../store/lease';
import { ReadModelStore } from '../store/read-model-store';
import { applyBatch } from './apply-batch';
import type { Projection } from './projection';
import {
  PROJECTION_LEASE,
  type ProjectionLeaseOptions,
  type ProjectionProgress,
  type ProjectionState,
  type ProjectionStatus,
  type ProjectionWriter,
  type RemoteProjections,
} from './projection-status';
import { QuarantineBook } from './quarantine';

/**
 * Once live, the runner pauses after each batch for four times what the batch took, up to this
 * long. A batch rewrites every document it touches, so a burst of ingestion is applied in a few
 * large batches rather than one per request, while a trickle of events (and the alerts that wait
 * for them) is hardly delayed. Reads do not wait for it: sharing changes the projection has not
 * applied yet are read from the log.
 */
const MAX_LIVE_BATCH_PAUSE_MS = 500;
/**
 * A burst, for that pause: events arriving at least this fast. Slower, the pause would only grow
 * with each batch (a longer pause gathers a larger batch of events about different subjects, which
 * takes longer and earns a longer pause), holding alerts back by up to the whole pause.
 */
const LIVE_BURST_EVENTS_PER_SECOND = 200;
const DEFAULT_LEASE_MS = 15_000;

interface Running {
  readonly projection: Projection;
  /** Resolves the first time the projection reaches the head of the log. */
  readonly reached: Promise<void>;
  readonly markReached: () => void;
  /** Documents kept parsed between batches (see applyBatch). */
  readonly cache: Map<string, unknown>;
  quarantine: QuarantineBook;
  /** Reported by the thread running the projection, when this runner follows it. */
  quarantines: number;
  subscription?: Subscription;
  /** The lease this runner holds for the projection, and whether a commit found it lost. */
  held?: { readonly token: number; lost: boolean };
  /** Set while the runner tries to take or keep the lease. */
  timer?: NodeJS.Timeout;
  /** Lease steps run one after another. */
  steps: Promise<void>;
  /** The owner a followed thread reports holding the lease as. */
  remoteOwner?: string;
  position: number;
  state: ProjectionState;
  caughtUpOnce: boolean;
  lastError?: string;
}

/**
 * Runs each registered projection from its checkpoint over a catch-up subscription to the log.
 * A batch that cannot be read or written is retried from the checkpoint on the next poll; nothing
 * is skipped. A document whose fold throws is quarantined, durably with the checkpoint, and the
 * projection goes on with every other (see `foldBatch`).
 *
 * Only the holder of a projection's lease advances it: every runner, in any process, tries to take
 * the lease every third of its length and renews it as often while it holds it. Each commit is
 * fenced by the checkpoint it started from and the lease's token, so a runner that lost the lease
 * without noticing writes nothing; it stops and goes back to trying to take it.
 *
 * Or follows them: when another thread runs the projections, this runner reflects the progress
 * that thread reports, so status, readiness and `waitFor` read the same either way.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly projections = new Map<string, Running>();
  private readonly listeners = new Set<(progress: ProjectionProgress) => void>();
  private remote: RemoteProjections | undefined;
  private readonly leaseMs: number;
  private readonly now: () => number;
  readonly owner: string;

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
    @Optional() @Inject(PROJECTION_LEASE) lease?: ProjectionLeaseOptions,
  ) {
    this.leaseMs = lease?.leaseMs ?? DEFAULT_LEASE_MS;
    this.now = lease?.now ?? Date.now;
    // Two runners in one process (a thread, a test) must never pass for one another.
    this.owner = lease?.owner ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  }

  register(projection: Projection): void {
    if (this.projections.has(projection.name))
      throw new Error(`Projection ${projection.name} registered twice`);
    let markReached!: () => void;
    const reached = new Promise<void>((resolve) => (markReached = resolve));
    this.projections.set(projection.name, {
      projection,
      reached,
      markReached,
      cache: new Map(),
      quarantine: new QuarantineBook(),
      quarantines: 0,
      steps: Promise.resolve(),
      position: 0,
      state: 'stopped',
      caughtUpOnce: false,
    });
  }

  get names(): string[] {
    return [...this.projections.keys()];
  }

  projection(name: string): Projection | undefined {
    return this.projections.get(name)?.projection;
  }

  async start(): Promise<void> {
    await Promise.all([...this.projections.values()].map((running) => this.startOne(running)));
  }

  /**
   * Resolves once every projection has reached the head of the log at least once: here, or, while
   * another runner holds its lease, in the store (the head as it was when this runner started).
   */
  async caughtUp(): Promise<void> {
    await Promise.all(
      [...this.projections.values()].map((running) =>
        running.timer || this.remote ? running.reached : Promise.resolve(),
      ),
    );
  }

  /** Whether this process runs its projections (or stands by to), or follows another thread running them. */
  get active(): boolean {
    return this.remote !== undefined || [...this.projections.values()].some((running) => running.timer);
  }

  get allCaughtUpOnce(): boolean {
    return [...this.projections.values()].every((running) => running.caughtUpOnce);
  }

  /** The projections that have failed as a whole (a batch that cannot be read or written). */
  get failed(): string[] {
    return [...this.projections.values()]
      .filter((running) => running.state === 'failed')
      .map((running) => running.projection.name);
  }

  /** How many documents every projection holds back in quarantine, as the store has it. */
  async quarantinedCount(): Promise<number> {
    const held = await Promise.all(this.names.map((name) => this.readModels.quarantined(name)));
    return held.reduce((sum, records) => sum + records.length, 0);
  }

  /** Resolves when every projection has applied the log up to `position`. */
  async waitFor(position: number, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ([...this.projections.values()].some((running) => running.position < position)) {
      if (Date.now() > deadline)
        throw new Error(`Projections did not reach position ${position} in ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.events.headPosition();
    const now = this.now();
    // From the store, not memory: a process that does not run a projection knows only the store.
    return Promise.all(
      [...this.projections.values()].map(async (one) => {
        const name = one.projection.name;
        const [position, lease, held] = await Promise.all([
          this.readModels.checkpoint(name),
          this.readModels.lease(name),
          this.readModels.quarantined(name),
        ]);
        const owner = lease && lease.expiresAt > now ? lease.owner : undefined;
        return {
          name,
          position,
          head,
          lag: Math.max(0, head - position),
          status: one.state,
          writer: this.writerOf(one, owner),
          ...(owner ? { owner } : {}),
          caughtUpOnce: one.caughtUpOnce,
          ...(one.lastError ? { lastError: one.lastError } : {}),
          quarantine: { count: held.length, total: this.quarantinesOf(one), held },
        };
      }),
    );
  }

  private writerOf(running: Running, owner: string | undefined): ProjectionWriter {
    if (running.state === 'failed') return 'failed';
    if (owner === undefined) return 'lease-free';
    const here = this.remote ? running.remoteOwner : running.held && this.owner;
    return owner === here ? 'running-here' : 'running-elsewhere';
  }

  /**
   * Runs `work` holding the projection's lease (renewed meanwhile, released after), for work such
   * as a rebuild that must be the projection's only writer. Refused while another runner holds it.
   */
  async holdingLease<T>(name: string, work: (token: number) => Promise<T>): Promise<T> {
    const lease = await this.readModels.acquireLease(name, this.owner, this.now(), this.leaseMs);
    if (!lease) {
      const holder = await this.readModels.lease(name);
      throw new Error(
        `Projection ${name} is advanced by ${holder?.owner ?? 'another process'}; stop the processes that run projections first`,
      );
    }
    let renewals = Promise.resolve();
    const timer = setInterval(
      () => {
        renewals = renewals
          .then(async () => {
            await this.readModels.renewLease(name, this.owner, lease.token, this.now(), this.leaseMs);
          })
          .catch((error: unknown) =>
            this.logger.warn(`Renewing the lease on ${name} failed: ${String(error)}`),
          );
      },
      Math.max(1, Math.floor(this.leaseMs / 3)),
    );
    try {
      return await work(lease.token);
    } finally {
      clearInterval(timer);
      await renewals;
      await this.readModels.releaseLease(name, this.owner, lease.token);
    }
  }

  /** Calls `listener` whenever a projection this runner runs moves on; returns the unsubscribe. */
  onProgress(listener: (progress: ProjectionProgress) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Follows projections that another thread runs: from now on their progress arrives through
   * `applyProgress`, and stopping this runner stops them.
   */
  follow(remote: RemoteProjections): void {
    if (this.remote || [...this.projections.values()].some((running) => running.subscription))
      throw new Error('Projections are already running');
    this.remote = remote;
  }

  /** Takes in the progress reported by the runner that runs a projection this one follows. */
  applyProgress(progress: ProjectionProgress): void {
    const running = this.projections.get(progress.name);
    if (!running) return;
    running.position = progress.position;
    running.state = progress.state;
    running.lastError = progress.lastError;
    running.quarantines = progress.quarantines;
    running.remoteOwner = progress.owner;
    if (progress.caughtUpOnce) this.markCaughtUpOnce(running);
  }

  /** Marks a followed projection failed: the thread running it stopped. */
  applyFailure(name: string, reason: string): void {
    const running = this.projections.get(name);
    if (!running) return;
    running.state = 'failed';
    running.lastError = reason;
  }

  async stop(): Promise<void> {
    const remote = this.remote;
    if (remote) {
      this.remote = undefined;
      await remote.stop();
      for (const running of this.projections.values()) running.state = 'stopped';
      return;
    }
    await Promise.all(
      [...this.projections.values()].map(async (running) => {
        if (!running.timer) return;
        clearInterval(running.timer);
        running.timer = undefined;
        await running.steps;
        const held = running.held;
        await this.standDown(running);
        // Handed over at once rather than when it would have expired.
        if (held && !held.lost)
          await this.readModels
            .releaseLease(running.projection.name, this.owner, held.token)
            .catch((error: unknown) => this.logger.warn(`Releasing the lease failed: ${String(error)}`));
      }),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.stop();
  }

  private markCaughtUpOnce(running: Running): void {
    running.caughtUpOnce = true;
    running.markReached();
  }

  private quarantinesOf(running: Running): number {
    return this.remote ? running.quarantines : running.quarantine.quarantines;
  }

  private report(running: Running): void {
    const progress: ProjectionProgress = {
      name: running.projection.name,
      position: running.position,
      state: running.state,
      caughtUpOnce: running.caughtUpOnce,
      ...(running.lastError ? { lastError: running.lastError } : {}),
      quarantines: this.quarantinesOf(running),
      ...(running.held ? { owner: this.owner } : {}),
    };
    for (const listener of this.listeners) listener(progress);
  }

  private logQuarantined(running: Running): void {
    this.logger.error(
      `Projection ${running.projection.name}: folding threw for ${running.quarantine.quarantines} document(s) since it started; ` +
        `those are held back (quarantined), every other goes on. Keys held now: ${running.quarantine.keys().join(', ')}`,
    );
  }

  private async startOne(running: Running): Promise<void> {
    if (running.timer) return;
    if (this.remote) throw new Error('Projections run on another thread; this runner follows them');
    const head = await this.events.headPosition();
    const step = (): void => this.step(running, () => this.keepOrTakeLease(running, head));
    running.timer = setInterval(step, Math.max(1, Math.floor(this.leaseMs / 3)));
    running.timer.unref();
    step();
    await running.steps;
  }

  private step(running: Running, next: () => Promise<void>): void {
    running.steps = running.steps.then(next).catch((error: unknown) => {
      // The store not answering: a lease held may lapse meanwhile, and its commits are then refused.
      this.logger.error(
        `Projection ${running.projection.name}: lease step failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
  }

  /** `head` is the log's head when the runner started, for a standby's readiness. */
  private async keepOrTakeLease(running: Running, head: number): Promise<void> {
    if (!running.timer) return;
    const name = running.projection.name;
    if (running.held && !running.held.lost) {
      if (await this.readModels.renewLease(name, this.owner, running.held.token, this.now(), this.leaseMs))
        return;
      this.logger.warn(`Projection ${name}: lease lost to another runner; standing by`);
    }
    if (running.held) await this.standDown(running);
    const lease = await this.readModels.acquireLease(name, this.owner, this.now(), this.leaseMs);
    if (!running.timer) {
      // Stopped while the lease was being taken: let it go now, as a held one is, rather than
      // leave it to lapse under a process that is gone.
      if (lease)
        await this.readModels
          .releaseLease(name, this.owner, lease.token)
          .catch((error: unknown) => this.logger.warn(`Releasing the lease failed: ${String(error)}`));
      return;
    }
    if (!lease) {
      // Standing by is caught up once the runner holding the lease has brought the store to where
      // the log stood when this one started: the same readiness as running it here.
      if (!running.caughtUpOnce && (await this.readModels.checkpoint(name)) >= head) {
        this.markCaughtUpOnce(running);
        this.report(running);
      }
      return;
    }
    running.held = { token: lease.token, lost: false };
    try {
      await this.advance(running, running.held);
    } catch (error) {
      await this.standDown(running);
      throw error;
    }
  }

  /** Stops advancing the projection; the lease, if still held, lapses or is released by the caller. */
  private async standDown(running: Running): Promise<void> {
    running.held = undefined;
    const subscription = running.subscription;
    running.subscription = undefined;
    await subscription?.stop();
    if (running.state !== 'failed') running.state = 'stopped';
    this.report(running);
  }

  private async advance(running: Running, held: { readonly token: number; lost: boolean }): Promise<void> {
    running.cache.clear();
    running.position = await this.readModels.checkpoint(running.projection.name);
    running.quarantine = new QuarantineBook(await this.readModels.quarantined(running.projection.name));
    await running.projection.prepare?.(this.events, running.position);
    running.state = 'catching-up';
    this.report(running);
    running.subscription = this.events.subscribeToAll({
      after: running.position,
      batchSize: 5000,
      maxBatchPauseMs: MAX_LIVE_BATCH_PAUSE_MS,
      pauseFromEventsPerSecond: LIVE_BURST_EVENTS_PER_SECOND,
      onEvents: async (batch) => {
        if (held.lost) return;
        const quarantines = running.quarantine.quarantines;
        try {
          running.position = await applyBatch(
            this.events,
            this.readModels,
            running.projection,
            batch,
            running.cache,
            running.quarantine,
            { from: running.position, token: held.token },
          );
        } catch (error) {
          if (!(error instanceof StaleProjectionWriteError)) throw error;
          // Stopping the subscription waits for this batch to end, so it is left to the next step.
          held.lost = true;
          this.logger.warn(`${error.message}; standing by`);
          this.step(running, () => this.keepOrTakeLease(running, running.position));
          return;
        }
        if (running.quarantine.quarantines > quarantines) this.logQuarantined(running);
        // Every document is written by now: under pressure, they are loaded again as touched.
        if (heapUnderPressure()) running.cache.clear();
        running.state = running.caughtUpOnce ? 'live' : 'catching-up';
        running.lastError = undefined;
        this.report(running);
      },
      onCaughtUp: () => {
        if (running.caughtUpOnce && running.state === 'live') return;
        this.markCaughtUpOnce(running);
        running.state = 'live';
        this.report(running);
      },
      onError: (error) => {
        running.state = 'failed';
        running.lastError = error instanceof Error ? error.message : String(error);
        this.logger.error(`Projection ${running.projection.name} failed: ${running.lastError}`);
        this.report(running);
      },
    });
  }
}
