// The fastify application: TLS only, the admission and health routes, bounded bodies and time.
import Fastify, { LogController, type FastifyError, type FastifyServerOptions } from 'fastify';
import { describeReviewErrors } from '../admission/decode.js';
import type { BackgroundScanStatus } from '../scan/background.js';
import type { ContextSource } from './context-source.js';
import { answerBeforeBodies } from './early-answers.js';
import { errorBody } from './error-body.js';
import { healthRoutes } from './health.js';
import { limitLargeReviews } from './large-reviews.js';
import { admissionMetrics } from './metrics.js';
import { closeConnectionsOnShutdown } from './shutdown.js';
import { webhookRoutes } from './webhooks.js';

export interface AppOptions {
  readonly tls: { readonly cert: string; readonly key: string };
  readonly context: ContextSource;
  readonly logger: FastifyServerOptions['logger'];
  /** `serve --background-scan`: the scan's status, for /metrics. */
  readonly backgroundScan?: () => BackgroundScanStatus;
}

/**
 * An AdmissionReview carries the object and, on UPDATE, the old object; etcd caps each at about
 * 1.5 MiB, so 8 MiB leaves room for both in JSON with margin, and refuses anything absurd.
 */
export const maxReviewBytes = 8 * 1024 * 1024;
/**
 * An answer that closes its connection before the body was read first reads the rest of it, up to
 * this, and throws it away: a client that sent a review over the limit reads its 413 rather than a
 * reset (lib/server/early-answers.ts). One sending more than that is cut off.
 */
const discardedBytes = 4 * maxReviewBytes;

/** The API server gives up after at most 30 s; a client slower than that is holding a socket. */
const requestTimeoutMs = 30_000;
/** Headers are a few hundred bytes: a client still sending them after 10 s is not an API server. */
const headersTimeoutMs = 10_000;
/**
 * Node checks the two timeouts above on this interval (30 s by default, which let a stalled
 * body live to about 47 s): once a second keeps them within a second of what they say.
 */
const timeoutCheckMs = 1_000;
/** A TCP connection that has not finished its TLS handshake by then is not a client of ours. */
const handshakeTimeoutMs = 5_000;
/** A socket with no traffic at all, not even a request in progress. */
const connectionTimeoutMs = 60_000;
/**
 * Open connections at most. The API servers keep a few pooled connections each; past this a
 * flood of idle sockets would only cost memory and file descriptors.
 */
export const maxConnections = 1024;

/**
 * TLS 1.2 with forward secrecy and AEAD only, as Kubernetes components accept (ECDHE with
 * AES-GCM or ChaCha20-Poly1305), and TLS 1.3's suites.
 */
const ciphers = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The TLS settings, also used when a renewed certificate is swapped in (setSecureContext). */
function tlsOptions(pair: AppOptions['tls']) {
  return { cert: pair.cert, key: pair.key, minVersion: 'TLSv1.2', ciphers, honorCipherOrder: true } as const;
}

export function buildApp(options: AppOptions) {
  const app = Fastify({
    https: {
      ...tlsOptions(options.tls),
      handshakeTimeout: handshakeTimeoutMs,
      headersTimeout: headersTimeoutMs,
      connectionsCheckingInterval: timeoutCheckMs,
    },
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
    // against failurePolicy. New connections are refused by the closed listener, the idle ones
    // closed (forceCloseConnections: 'idle', fastify's default) after the shutdown delay.
    return503OnClosing: false,
    ajv: {
      // The review is checked as sent: no coercion, no defaults, no stripping.
      customOptions: { coerceTypes: false, useDefaults: false, removeAdditional: false, allErrors: true },
    },
    schemaErrorFormatter: (errors) => new Error(describeReviewErrors(errors)),
  });
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const status = error.statusCode ?? 500;
    const message = reasonOf(error, req.headers['content-type']);
    if (status >= 500) req.log.error({ err: error }, 'request failed');
    else req.log.warn({ status, reason: message }, 'bad request');
    return reply.code(status).send(errorBody(status, message));
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send(errorBody(404, `${req.method} ${pathOf(req.url)}: no such route`)),
  );
  app.server.maxConnections = maxConnections;
  // Only JSON is a review: fastify's default text/plain parser would hand the schema a string
  // (a 400 saying the body is no object) where the answer is the media type the webhook takes.
  app.removeContentTypeParser('text/plain');
  // Keys such as __proto__ and constructor are data in Kubernetes (a ConfigMap key, a label): JSON.parse
  // keeps them as own properties, where fastify's default parser would refuse the review with a 400.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '') return done(Object.assign(new Error('the body is empty'), { statusCode: 400 }), undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch (error) {
      done(
        Object.assign(new Error(`the body is not valid JSON: ${(error as Error).message}`), { statusCode: 400 }),
        undefined,
      );
    }
  });
  limitLargeReviews(app);
  // In this order: the drain before an answer that closes its connection sees the shutdown's close.
  const shutdown = closeConnectionsOnShutdown(app);
  answerBeforeBodies(app, discardedBytes);
  let certificate = options.tls.cert;
  const metrics = admissionMetrics(options.context, () => certificate, options.backgroundScan);
  app.register(healthRoutes, { context: options.context, shuttingDown: shutdown.started });
  app.register(webhookRoutes, { context: options.context, metrics });
  app.get('/metrics', async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
  return Object.assign(app, {
    /** New handshakes get this pair; the metrics report its expiry. */
    useCertificate(pair: AppOptions['tls']): void {
      app.server.setSecureContext(tlsOptions(pair));
      certificate = pair.cert;
    },
    /** SIGTERM: /readyz answers 503 from now on, and every answer closes its connection. */
    beginShutdown: shutdown.begin,
  });
}

export type App = ReturnType<typeof buildApp>;

/** What fastify refuses before a route runs, said with what the webhook takes instead. */
function reasonOf(error: FastifyError, contentType: string | undefined): string {
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const wanted = 'the body must be application/json (the API server sends it so)';
      return contentType ? `${wanted}, not ${mediaTypeOf(contentType)}` : `${wanted}; it came without a Content-Type`;
    }
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return `the body is larger than ${maxReviewBytes / mebibyte} MiB, the limit`;
    default:
      return error.message;
  }
}

const mebibyte = 1024 * 1024;

/** `text/plain` of `text/plain; charset=utf-8`. */
function mediaTypeOf(contentType: string): string {
  return shortened(contentType.split(';')[0]!.trim());
}

/** A request's path, without its query. */
function pathOf(url: string): string {
  return shortened(url.split('?')[0]!);
}

/** The client's text, quoted in a message, cut short. */
function shortened(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}...` : text;
}
