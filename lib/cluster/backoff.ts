// How the cluster watch waits before retrying: apart from watch.ts, which loads client-node, so
// the arithmetic is read and tested on its own.

/** The pause before the first retry, and the longest one. */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

/** One second, doubling to a minute: an API server back from an outage is not stampeded. */
export const defaultBackoff: Backoff = { firstMs: 1000, maxMs: 60_000 };

/** The pause before retry `attempt` (0 first): between half and all of the capped doubling. */
export function retryDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(attempt, 32));
  return ceiling / 2 + (random() * ceiling) / 2;
}
