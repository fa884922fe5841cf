// Response builders in the manner of controller-runtime's Allowed/Denied/Patched: the handler says
// what it decided, these say it in the protocol.
import type { Operation as PatchOperation } from 'fast-json-patch';
import { admissionApiVersion, type AdmissionResponse, type AdmissionReview } from './review.js';

export function reviewOf(response: AdmissionResponse): AdmissionReview {
  return { apiVersion: admissionApiVersion, kind: 'AdmissionReview', response };
}

export function allowed(uid: string, warnings: readonly string[] = []): AdmissionResponse {
  return { uid, allowed: true, ...warningsOf(warnings) };
}

export function denied(uid: string, message: string, warnings: readonly string[] = []): AdmissionResponse {
  return {
    uid,
    allowed: false,
    status: { code: 403, reason: 'Forbidden', message },
    ...warningsOf(warnings),
  };
}

/** Allowed, with the patch base64-encoded as the protocol requires; no patch field when empty. */
export function patched(
  uid: string,
  patch: readonly PatchOperation[],
  warnings: readonly string[] = [],
): AdmissionResponse {
  if (patch.length === 0) return allowed(uid, warnings);
  return {
    ...allowed(uid, warnings),
    patchType: 'JSONPatch',
    patch: Buffer.from(JSON.stringify(patch)).toString('base64'),
  };
}

/**
 * The AdmissionReview we answer, as a JSON Schema: fastify compiles it once into a serializer
 * (fast-json-stringify), cheaper per response than JSON.stringify. It lists every field of
 * AdmissionResponse: a field missing here would be dropped from the answer silently.
 */
export const answerSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'response'],
  properties: {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    response: {
      type: 'object',
      required: ['uid', 'allowed'],
      properties: {
        uid: { type: 'string' },
        allowed: { type: 'boolean' },
        status: {
          type: 'object',
          required: ['code', 'reason', 'message'],
          properties: { code: { type: 'integer' }, reason: { type: 'string' }, message: { type: 'string' } },
        },
        patchType: { type: 'string' },
        patch: { type: 'string' },
        warnings: { type: 'array', items: { type: 'string' } },
      },
    },
  },
} as const;

function warningsOf(warnings: readonly string[]): Pick<AdmissionResponse, 'warnings'> {
  return warnings.length > 0 ? { warnings } : {};
}
