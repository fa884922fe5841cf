import type { FastifyPluginCallback } from 'fastify';
import type { ContextSource } from './context-source.js';

export const healthRoutes: FastifyPluginCallback<{ context: ContextSource }> = (app, { context }, done) => {
  // Liveness: the process answers. Readiness: it has a policy context to decide with.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    // The detail names the profile in use and, when the cluster's was refused, why.
    if (context.ready()) return { status: 'ready', ...context.health() };
    return reply.code(503).send({ status: 'not ready', ...context.health() });
  });
  done();
};
