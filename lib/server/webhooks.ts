// POST /mutate and POST /validate: decode (by the route schema), decide, encode. No policy here.
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { reviewSchema } from '../admission/decode.js';
import { answerSchema, denied, allowed, patched, reviewOf } from '../admission/response.js';
import type { AdmissionRequest, AdmissionResponse, AdmissionReview } from '../admission/review.js';
import { webhookPaths, type WebhookPath } from '../facts.js';
import { decide, type Decision, type Purpose } from '../policy/decide.js';
import { capped, denialMessage, formatFinding, warningOf } from '../policy/findings.js';
import type { ContextSource } from './context-source.js';
import { errorBody } from './error-body.js';
import type { AdmissionMetrics, ReviewOutcome } from './metrics.js';

type Encode = (request: AdmissionRequest, decision: Decision) => AdmissionResponse;

function verdictOf(response: AdmissionResponse): ReviewOutcome {
  if (!response.allowed) return 'denied';
  return response.patch === undefined ? 'allowed' : 'patched';
}

/** A mutating webhook only patches; denying is the validating webhook's job. */
const mutation: Encode = (request, decision) => patched(request.uid, decision.patch);

const validation: Encode = (request, decision) => {
  const warnings = capped(decision.warnings.map(warningOf));
  return decision.allowed
    ? allowed(request.uid, warnings)
    : denied(request.uid, denialMessage(request.kind.kind, decision.findings), warnings);
};

export interface WebhookOptions {
  readonly context: ContextSource;
  readonly metrics: AdmissionMetrics;
}

export const webhookRoutes: FastifyPluginCallback<WebhookOptions> = (app, options, done) => {
  // In this plugin only: the admission routes, including the 400s their body schema sends.
  app.addHook('onResponse', async (req, reply) => {
    options.metrics.responded(req.routeOptions.url ?? req.url, reply.statusCode, reply.elapsedTime / 1000);
  });
  for (const webhook of webhooks) route(app, webhook, options);
  done();
};

/** A webhook's route: the path the API server posts to, and how its decision is answered. */
interface WebhookRoute {
  readonly url: WebhookPath;
  readonly purpose: Purpose;
  readonly encode: Encode;
}

const webhooks: readonly WebhookRoute[] = [
  { url: webhookPaths.mutate, purpose: 'mutate', encode: mutation },
  { url: webhookPaths.validate, purpose: 'validate', encode: validation },
];

/** Every method a client might try but POST (HEAD comes with GET). */
const otherMethods = ['GET', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

function route(
  app: FastifyInstance,
  { url, purpose, encode }: WebhookRoute,
  { context, metrics }: WebhookOptions,
): void {
  // A webhook path exists for POST only: 405 with Allow says so, where 404 said it did not exist.
  app.route({
    method: otherMethods,
    url,
    handler: async (req, reply) => {
      const message = `${url} takes POST (an AdmissionReview), not ${req.method}`;
      return reply.code(405).header('allow', 'POST').send(errorBody(405, message));
    },
  });
  app.post<{ Body: AdmissionReview & { request: AdmissionRequest } }>(
    url,
    { schema: { body: reviewSchema, response: { 200: answerSchema } } },
    async (req) => {
      const request = req.body.request;
      const decision = decide(request, context.current(), purpose);
      req.log.info(
        {
          uid: request.uid,
          kind: request.kind.kind,
          namespace: request.namespace,
          name: request.name,
          operation: request.operation,
          allowed: decision.allowed,
          // Counts whole, lists capped as in the response: a line stays readable (and small)
          // whatever the object holds.
          findingCount: decision.findings.length,
          findings: capped(decision.findings.map((finding) => finding.rule)),
          // Warnings reach the user cut to 120 characters, audited findings not at all: the log
          // keeps their text whole.
          ...(decision.warnings.length > 0
            ? { warningCount: decision.warnings.length, warnings: capped(decision.warnings.map(formatFinding)) }
            : {}),
          ...(decision.audited
            ? { auditedCount: decision.audited.length, audited: capped(decision.audited.map(formatFinding)) }
            : {}),
          ...(decision.exempt ? { exempt: decision.exempt } : {}),
        },
        url.slice(1),
      );
      const response = encode(request, decision);
      // Only the validating answer is a verdict: a pod's findings are counted there, once.
      metrics.decided(url, request, decision, verdictOf(response), purpose === 'validate');
      return reviewOf(response);
    },
  );
}
