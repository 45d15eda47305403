import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { EventStore, type Subscription } from '@throughline/event-store';
import { heapUnderPressure } from '@throughline/platform';
import { type Quarantined, ReadModelStore } from '../store/read-model-store';
import { applyBatch } from './apply-batch';
import type { Projection } from './projection';
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

export type ProjectionState = 'stopped' | 'catching-up' | 'live' | 'failed';

export interface ProjectionStatus {
  readonly name: string;
  readonly position: number;
  readonly head: number;
  readonly lag: number;
  readonly status: ProjectionState;
  readonly caughtUpOnce: boolean;
  readonly lastError?: string;
  readonly quarantine: {
    /** Documents held back now because folding them threw. */
    readonly count: number;
    /** Documents newly quarantined since the projection started: a counter. */
    readonly total: number;
    readonly held: readonly Quarantined[];
  };
}

/** How a projection is getting on, as the runner running it reports it to one following it. */
export interface ProjectionProgress {
  readonly name: string;
  readonly position: number;
  readonly state: ProjectionState;
  readonly caughtUpOnce: boolean;
  readonly lastError?: string;
  /** Documents newly quarantined since the projection started. */
  readonly quarantines: number;
}

/** Projections run by another thread, which a runner follows (see `follow`) instead of running them. */
export interface RemoteProjections {
  /** Stops them; resolves when they are no longer running. */
  stop(): Promise<void>;
}

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
 * Or follows them: when another thread runs the projections, this runner reflects the progress
 * that thread reports, so status, readiness and `waitFor` read the same either way.
 */
@Injectable()
export class ProjectionRunner implements OnApplicationShutdown {
  private readonly logger = new Logger(ProjectionRunner.name);
  private readonly projections = new Map<string, Running>();
  private readonly listeners = new Set<(progress: ProjectionProgress) => void>();
  private remote: RemoteProjections | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModelStore,
  ) {}

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

  /** Resolves once every projection has reached the head of the log at least once. */
  async caughtUp(): Promise<void> {
    await Promise.all(
      [...this.projections.values()].map((running) =>
        running.subscription || this.remote ? running.reached : Promise.resolve(),
      ),
    );
  }

  /** Whether this process runs its projections, or follows another thread running them. */
  get active(): boolean {
    return (
      this.remote !== undefined || [...this.projections.values()].some((running) => running.subscription)
    );
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
    const running = [...this.projections.values()];
    // From the store, not memory: a runner following another thread holds no quarantine.
    const held = await Promise.all(running.map((one) => this.readModels.quarantined(one.projection.name)));
    return running.map((one, index) => ({
      name: one.projection.name,
      position: one.position,
      head,
      lag: Math.max(0, head - one.position),
      status: one.state,
      caughtUpOnce: one.caughtUpOnce,
      ...(one.lastError ? { lastError: one.lastError } : {}),
      quarantine: { count: held[index]!.length, total: this.quarantinesOf(one), held: held[index]! },
    }));
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
        if (!running.subscription) return;
        await running.subscription.stop();
        running.subscription = undefined;
        running.state = 'stopped';
        this.report(running);
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
    if (running.subscription) return;
    if (this.remote) throw new Error('Projections run on another thread; this runner follows them');
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
        const quarantines = running.quarantine.quarantines;
        running.position = await applyBatch(
          this.events,
          this.readModels,
          running.projection,
          batch,
          running.cache,
          running.quarantine,
        );
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
