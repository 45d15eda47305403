import type { Quarantined } from '../store/read-model-store';

export type ProjectionState = 'stopped' | 'catching-up' | 'live' | 'failed';

/**
 * Who advances a projection, as seen from this process: this process (or its projections
 * thread), another process holding an unexpired lease, no one, or this process failed at it.
 */
export type ProjectionWriter = 'running-here' | 'running-elsewhere' | 'lease-free' | 'failed';

/** How long a projection's lease lasts unrenewed; it is renewed every third of that. */
export interface ProjectionLeaseOptions {
  readonly leaseMs: number;
  /** Names this runner in the lease; unique per runner by default. */
  readonly owner?: string;
  readonly now?: () => number;
}

export const PROJECTION_LEASE = Symbol('PROJECTION_LEASE');

export interface ProjectionStatus {
  readonly name: string;
  /** The checkpoint as the store has it, so the same in a process that does not run it. */
  readonly position: number;
  readonly head: number;
  readonly lag: number;
  readonly status: ProjectionState;
  readonly writer: ProjectionWriter;
  /** The holder of the unexpired lease, if any. */
  readonly owner?: string;
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
  /** The lease owner the runner advances it as, while it holds the lease. */
  readonly owner?: string;
}

/** Projections run by another thread, which a runner follows (see `follow`) instead of running them. */
export interface RemoteProjections {
  /** Stops them; resolves when they are no longer running. */
  stop(): Promise<void>;
}
