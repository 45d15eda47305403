/** Waits `ms`, or less if the signal aborts; answers whether the full wait elapsed. */
export function delay(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** Exponential backoff for retrying transient failures: 100 ms doubling up to `capMs`. */
export const backoffMs = (attempt: number, capMs = 5_000): number =>
  Math.min(capMs, 100 * 2 ** Math.min(attempt, 16));

export const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);
