/**
 * The right to advance one projection, held by one runner at a time. The token grows by one on
 * every acquisition, so a runner that lost the lease (paused past its expiry, cut off from the
 * store) still presents the token it had, and its commit is refused: a lease alone can overlap for
 * as long as the old holder has not noticed, the token cannot.
 */
export interface ProjectionLease {
  readonly projection: string;
  readonly owner: string;
  readonly token: number;
  /** Milliseconds since the epoch, on the clock of the runner that last took or renewed it. */
  readonly expiresAt: number;
}

/**
 * What a fenced commit must still find in the store: the checkpoint it folded on from and the
 * token of the lease it holds. Anything else means another runner moved the projection.
 */
export interface Fence {
  readonly from: number;
  readonly token: number;
}

/** A fenced commit found the checkpoint or the lease moved by another runner; it wrote nothing. */
export class StaleProjectionWriteError extends Error {
  constructor(
    readonly projection: string,
    readonly fence: Fence,
    readonly found: { readonly position: number; readonly token: number | undefined },
  ) {
    super(
      `Projection ${projection} moved elsewhere: committing from position ${fence.from} with lease token ${fence.token}, ` +
        `the store holds position ${found.position} and token ${found.token ?? 'none'}`,
    );
    this.name = 'StaleProjectionWriteError';
  }
}
