// POST /mutate and POST /validate: decode (by the route schema), decide, encode. No policy here.
import type { FastifyInstance, FastifyPluginCallback } from 'fastify';
import { reviewSchema } from '../admission/decode.js';
import { denied, allowed, patched, reviewOf } from '../admission/response.js';
import type { AdmissionRequest, AdmissionResponse, AdmissionReview } from '../admission/review.js';
import { decide, type Decision } from '../policy/decide.js';
import { denialMessage, formatFinding, warningOf } from '../policy/findings.js';
import type { ContextSource } from './context-source.js';

type Encode = (request: AdmissionRequest, decision: Decision) => AdmissionResponse;

/** A mutating webhook only patches; denying is the validating webhook's job. */
const mutation: Encode = (request, decision) => patched(request.uid, decision.patch);

const validation: Encode = (request, decision) => {
  const warnings = decision.warnings.map(warningOf);
  return decision.allowed
    ? allowed(request.uid, warnings)
    : denied(request.uid, denialMessage(request.kind.kind, decision.findings), warnings);
};

export interface WebhookOptions {
  readonly context: ContextSource;
}

export const webhookRoutes: FastifyPluginCallback<WebhookOptions> = (app, { context }, done) => {
  route(app, '/mutate', mutation, context);
  route(app, '/validate', validation, context);
  done();
};

function route(app: FastifyInstance, url: string, encode: Encode, context: ContextSource): void {
  app.post<{ Body: AdmissionReview & { request: AdmissionRequest } }>(
    url,
    { schema: { body: reviewSchema } },
    async (req) => {
      const request = req.body.request;
      const decision = decide(request, context.current());
      req.log.info(
        {
          uid: request.uid,
          kind: request.kind.kind,
          namespace: request.namespace,
          name: request.name,
          operation: request.operation,
          allowed: decision.allowed,
          findings: decision.findings.map((finding) => finding.rule),
          // Warnings reach the user cut to 120 characters, audited findings not at all: the log
          // keeps them whole.
          ...(decision.warnings.length > 0 ? { warnings: decision.warnings.map(formatFinding) } : {}),
          ...(decision.audited ? { audited: decision.audited.map(formatFinding) } : {}),
          ...(decision.exempt ? { exempt: decision.exempt } : {}),
        },
        url.slice(1),
      );
      return reviewOf(encode(request, decision));
    },
  );
}
