// The decision core: (request, context) -> decision. Pure: no I/O, no clock, no logging. The
// server, the CLI and the tests all come through here.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { AdmissionRequest } from '../admission/review.js';
import { isHandledKind, kindKey, type KindKey } from '../workload/kinds.js';
import { podTemplateOf, recordOrEmpty, type PodTemplate } from '../workload/pod-template.js';
import type { PolicyContext } from './context.js';
import type { Finding } from './findings.js';
import { findingsOf, type SeveredFinding } from './rule.js';
import { isEciBound } from './routing.js';
import { rules } from './rules/index.js';

export interface Decision {
  readonly allowed: boolean;
  /** Why it is denied: empty when allowed. */
  readonly findings: readonly Finding[];
  /** Allowed, but worth telling the user. */
  readonly warnings: readonly Finding[];
  /** RFC 6902 operations that turn the submitted object into the admitted one. */
  readonly patch: readonly PatchOperation[];
}

const unchanged: Decision = { allowed: true, findings: [], warnings: [], patch: [] };

/** Subresources whose object is the pod itself; all others (status, scale, ...) pass. */
const checkedSubresources: ReadonlySet<string> = new Set(['', 'ephemeralcontainers']);

export function decide(request: AdmissionRequest, context: PolicyContext): Decision {
  const object = admittedObject(request);
  const kind = kindKey(request.kind);
  if (object === undefined || !isHandledKind(kind)) return unchanged;
  const pod = podTemplateOf(kind, object);
  if (!isEciBound(kind, pod, request.namespace, context)) return unchanged;
  const found = evaluate(kind, object, pod, context);
  return verdict(unchangedByUpdate(request, kind) ? found.map(asPreExisting) : found);
}

/** The object to judge: CREATE and UPDATE of the resource itself (or its ephemeral containers). */
function admittedObject(request: AdmissionRequest): KubernetesObject | undefined {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return undefined;
  if (!checkedSubresources.has(request.subResource ?? '')) return undefined;
  const object = request.object;
  return object === recordOrEmpty(object) ? (object as KubernetesObject) : undefined;
}

function evaluate(
  kind: KindKey,
  object: KubernetesObject,
  pod: PodTemplate | undefined,
  context: PolicyContext,
): SeveredFinding[] {
  return rules.flatMap((rule) => {
    if (rule.target === 'pod') return pod ? findingsOf(rule, rule.check(pod, context)) : [];
    return rule.kinds.includes(kind) ? findingsOf(rule, rule.check(object, context)) : [];
  });
}

/**
 * An UPDATE that leaves the checked part as it was (labels, annotations, finalizers, replicas)
 * is not denied for what the object already had: denying it would leave objects admitted before
 * the webhook stuck, unable even to lose a finalizer. Pod Security Admission does the same.
 */
function unchangedByUpdate(request: AdmissionRequest, kind: KindKey): boolean {
  if (request.operation !== 'UPDATE' || !request.oldObject || !request.object) return false;
  return isDeepStrictEqual(checkedPart(kind, request.object), checkedPart(kind, request.oldObject));
}

function checkedPart(kind: KindKey, object: KubernetesObject): unknown {
  return podTemplateOf(kind, object)?.spec ?? recordOrEmpty(object).spec;
}

function asPreExisting(finding: SeveredFinding): SeveredFinding {
  if (finding.severity === 'warn') return finding;
  return { ...finding, severity: 'warn', message: `${finding.message} (allowed: unchanged by this update)` };
}

function verdict(found: readonly SeveredFinding[]): Decision {
  if (found.length === 0) return unchanged;
  const findings = found.filter((finding) => finding.severity === 'deny');
  const warnings = found.filter((finding) => finding.severity === 'warn');
  return { allowed: findings.length === 0, findings, warnings, patch: [] };
}

