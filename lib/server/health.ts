import type { FastifyPluginCallback } from 'fastify';
import type { ContextSource } from './context-source.js';

export const healthRoutes: FastifyPluginCallback<{ context: ContextSource }> = (app, { context }, done) => {
  // Liveness: the process answers. Readiness: it has a policy context to decide with.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    if (context.ready()) return { status: 'ready' };
    return reply.code(503).send({ status: 'not ready' });
  });
  done();
};
