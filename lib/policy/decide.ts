// The decision core: (request, context) -> decision. Pure: no I/O, no clock, no logging. The
// server, the CLI and the tests all come through here.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import jsonpatch, { type Operation as PatchOperation } from 'fast-json-patch';
import type { AdmissionRequest } from '../admission/review.js';
import { depthExceeds, maxObjectDepth } from '../json/bounded.js';
import { isHandledKind, isRoutedKind, kindKey, type KindKey } from '../workload/kinds.js';
import { podTemplateOf, recordOrEmpty, type PodTemplate } from '../workload/pod-template.js';
import type { PolicyContext } from './context.js';
import type { Finding } from './findings.js';
import { findingsOf, type SeveredFinding } from './rule.js';
import { exemptionOf, modeOf, switched, type Mode } from './enforcement.js';
import { mutatePod, type Mutation } from './mutate.js';
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
  /** In audit mode: what enforce would have said, for the log and the metrics. */
  readonly audited?: readonly Finding[];
  /** Why the request was not judged at all (an exempt user, namespace, ...). */
  readonly exempt?: string;
}

const unchanged: Decision = { allowed: true, findings: [], warnings: [], patch: [] };

/** Subresources whose object is the pod itself; all others (status, scale, ...) pass. */
const checkedSubresources: ReadonlySet<string> = new Set(['', 'ephemeralcontainers']);

/**
 * What the caller uses of the decision: the mutating webhook only the patch, the validating one
 * only the verdict (of the mutated object), the CLI both. Only what is used is computed.
 */
export type Purpose = 'mutate' | 'validate' | 'both';

/** The rule id of the denial of a request the webhook cannot read. */
export const unreadableRuleId = 'malformed';

/**
 * The decision, guarded: whatever the request holds, the answer is a decision. A request nested
 * past any real object is refused before anything recurses over it; anything else that throws
 * while judging is refused with its reason. Refused, not allowed: under failurePolicy Ignore an
 * error would admit the object unchecked.
 */
export function decide(request: AdmissionRequest, context: PolicyContext, purpose: Purpose = 'both'): Decision {
  if (depthExceeds(request, maxObjectDepth)) return unreadable(`is nested deeper than ${maxObjectDepth} levels, the limit; no Kubernetes object is`);
  try {
    return judge(request, context, purpose);
  } catch (error) {
    return unreadable(`cannot be judged: ${(error as Error)?.message ?? String(error)}`);
  }
}

function unreadable(message: string): Decision {
  const finding = { rule: unreadableRuleId, path: 'object', message, workaround: 'send the object as the API server stores it' };
  return { allowed: false, findings: [finding], warnings: [], patch: [] };
}

function judge(request: AdmissionRequest, context: PolicyContext, purpose: Purpose): Decision {
  const object = admittedObject(request);
  const kind = kindKey(request.kind);
  if (object === undefined || !isHandledKind(kind)) return unchanged;
  const exempt = exemptionOf(request, kind, object, context);
  if (exempt !== undefined) return { ...unchanged, exempt };
  const mutation = mutationOf(request, kind, object, context);
  // Validators judge the object as it will be stored: after our own mutation.
  const judged = mutation?.pod ?? object;
  const pod = podTemplateOf(kind, judged);
  const checked = purpose !== 'mutate' && (!isRoutedKind(kind) || isEciBound(pod, request.namespace, context));
  const found = checked ? evaluate(kind, judged, pod, context) : [];
  const all = [...(mutation?.warnings ?? []), ...(unchangedByUpdate(request, kind) ? found.map(asPreExisting) : found)];
  return verdict(
    switched(all, context.enforcement.rules),
    mutation && purpose !== 'validate' ? jsonpatch.compare(object, mutation.pod) : [],
    modeOf(request.namespace, context),
  );
}

/** Pods are mutated when they are created: selector effects and virtual-node routing. */
function mutationOf(request: AdmissionRequest, kind: KindKey, object: KubernetesObject, context: PolicyContext): Mutation | undefined {
  if (kind !== 'Pod' || request.operation !== 'CREATE' || request.subResource) return undefined;
  return mutatePod(object as V1Pod, request.namespace, context);
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

function verdict(found: readonly SeveredFinding[], patch: readonly PatchOperation[], mode: Mode): Decision {
  if (found.length === 0 && patch.length === 0) return unchanged;
  const denials = found.filter((finding) => finding.severity === 'deny');
  const warnings = found.filter((finding) => finding.severity === 'warn');
  switch (mode) {
    case 'enforce':
      return { allowed: denials.length === 0, findings: denials, warnings, patch };
    case 'warn':
      return { allowed: true, findings: [], warnings: [...denials, ...warnings], patch };
    case 'audit':
      return { allowed: true, findings: [], warnings: [], patch, ...(found.length > 0 ? { audited: found } : {}) };
  }
}

