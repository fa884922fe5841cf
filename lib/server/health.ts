import type { FastifyPluginCallback } from 'fastify';
import type { ContextSource } from './context-source.js';

interface HealthOptions {
  readonly context: ContextSource;
  /** True from SIGTERM on (lib/server/shutdown.ts). */
  readonly shuttingDown: () => boolean;
}

export const healthRoutes: FastifyPluginCallback<HealthOptions> = (app, { context, shuttingDown }, done) => {
  // Liveness: the process answers, also while it shuts down. Readiness: every review it is sent
  // now gets a judgement.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const status = readiness(context, app.server.listening, shuttingDown());
    // The detail names the profile in use and, when the cluster's was refused, why.
    return reply.code(status === 'ready' ? 200 : 503).send({ status, ...context.health() });
  });
  done();
};

/**
 * Ready when the policy context is and the TLS listener takes connections: before listen() and
 * after close() a probe can still arrive (through inject, on a kept-alive connection), but no new
 * review can. Not ready from SIGTERM on, so the endpoints move on while reviews are still answered.
 */
function readiness(context: ContextSource, listening: boolean, shuttingDown: boolean) {
  if (shuttingDown) return 'shutting down';
  if (!listening) return 'not listening';
  return context.ready() ? 'ready' : 'not ready';
}
