// Leaving the Service without losing a review. A terminating pod leaves the Service's endpoints,
// but the API server's HTTP client pools keep-alive connections per Service host name and goes on
// sending reviews down the ones it holds to this pod. From SIGTERM on, /readyz answers 503 and
// every answer closes its connection, so each pooled connection ends with an answer and the next
// review is dialled afresh, to a ready replica. The listener closes only after that
// (`serve --shutdown-delay`, lib/cli/serve.ts): a review the API server writes on an idle
// connection just as we close it is lost, not retried (Go retries only an idempotent request).
import type { FastifyInstance } from 'fastify';

interface Shutdown {
  begin(): void;
  started(): boolean;
}

export function closeConnectionsOnShutdown(app: FastifyInstance): Shutdown {
  let started = false;
  // onSend rather than onRequest: a request read before the signal and answered after it closes
  // its connection too.
  app.addHook('onSend', async (_req, reply) => {
    if (started) reply.header('connection', 'close');
  });
  return {
    begin: () => {
      started = true;
    },
    started: () => started,
  };
}
