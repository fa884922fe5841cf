// At most a few large reviews in memory at once. A 7.9 MiB review costs several times its size
// while it is read, parsed and judged; without a bound, a handful at once pass the container's
// memory limit. The excess is refused at once with 429 and Retry-After, before its body is read:
// the API server retries, and a slow queue would only hold its sockets.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from './error-body.js';

/** A review above this is large: real pods and workloads are a few KiB, 1 MiB is rare. */
export const largeReviewBytes = 1024 * 1024;
/** Large reviews decoded and judged at once (the figures behind it are in bench/README.md). */
export const largeReviewSlots = 2;

export function limitLargeReviews(app: FastifyInstance, slots = largeReviewSlots): void {
  const holding = new Set<FastifyRequest>();
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (req.method !== 'POST' || !isLarge(req.headers['content-length'])) return;
    if (holding.size >= slots) {
      return reply
        .code(429)
        .header('retry-after', '1')
        .send(errorBody(429, `more than ${slots} reviews over ${largeReviewBytes} bytes at once; retry`));
    }
    holding.add(req);
  });
  const release = async (req: FastifyRequest) => void holding.delete(req);
  app.addHook('onResponse', release);
  app.addHook('onRequestAbort', release);
}

/** A body of unknown length (chunked) may be as large as the body limit: counted as large. */
function isLarge(contentLength: string | undefined): boolean {
  const length = Number(contentLength);
  return !Number.isFinite(length) || length > largeReviewBytes;
}
