// The fastify application: TLS only, the admission and health routes, bounded bodies and time.
import Fastify, { LogController, type FastifyError, type FastifyServerOptions } from 'fastify';
import { describeReviewErrors } from '../admission/decode.js';
import type { ContextSource } from './context-source.js';
import { healthRoutes } from './health.js';
import { admissionMetrics } from './metrics.js';
import { webhookRoutes } from './webhooks.js';

export interface AppOptions {
  readonly tls: { readonly cert: string; readonly key: string };
  readonly context: ContextSource;
  readonly logger: FastifyServerOptions['logger'];
}

/**
 * An AdmissionReview carries the object and, on UPDATE, the old object; etcd caps each at about
 * 1.5 MiB, so 8 MiB leaves room for both in JSON with margin, and refuses anything absurd.
 */
export const maxReviewBytes = 8 * 1024 * 1024;

/** The API server gives up after at most 30 s; a client slower than that is holding a socket. */
const requestTimeoutMs = 30_000;
/** Headers are a few hundred bytes: a client still sending them after 10 s is not an API server. */
const headersTimeoutMs = 10_000;
/** A socket with no traffic at all, not even a request in progress. */
const connectionTimeoutMs = 60_000;

/** The TLS settings, also used when a renewed certificate is swapped in (setSecureContext). */
export function tlsOptions(pair: AppOptions['tls']) {
  return { cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2' } as const;
}

export function buildApp(options: AppOptions) {
  const app = Fastify({
    https: tlsOptions(options.tls),
    logger: options.logger,
    // One log line per admission, written by the route with what matters.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: maxReviewBytes,
    requestTimeout: requestTimeoutMs,
    connectionTimeout: connectionTimeoutMs,
    // Below the 90 s idle timeout of Go's HTTP client, so the API server is the side that reuses
    // a connection only while we still keep it (a POST on a connection we just closed fails).
    keepAliveTimeout: 72_000,
    // On close, a request that reached us is answered normally: the API server would count a 503
    // against failurePolicy. New connections are refused by the closed listener.
    return503OnClosing: false,
    ajv: {
      // The review is checked as sent: no coercion, no defaults, no stripping.
      customOptions: { coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: true },
    },
    schemaErrorFormatter: (errors) => new Error(describeReviewErrors(errors)),
  });
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.warn({ status, reason: error.message }, 'bad request');
    return reply.code(status).send({ statusCode: status, error: error.code ?? 'Error', message: error.message });
  });
  app.server.headersTimeout = headersTimeoutMs;
  const metrics = admissionMetrics(options.context, options.tls.cert);
  app.register(healthRoutes, { context: options.context });
  app.register(webhookRoutes, { context: options.context, metrics });
  app.get('/metrics', async (_req, reply) => reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()));
  return app;
}

export type App = ReturnType<typeof buildApp>;
