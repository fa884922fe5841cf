// The decision core: (request, context) -> decision. Pure: no I/O, no clock, no logging. The
// server, the CLI and the tests all come through here.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { AdmissionRequest } from '../admission/review.js';
import { depthExceeds, maxObjectDepth } from '../json/bounded.js';
import { memo } from '../memo.js';
import { isHandledKind, isRoutedKind, kindKey, type KindKey } from '../workload/kinds.js';
import { podTemplateOf, recordOrEmpty, type PodTemplate } from '../workload/pod-template.js';
import type { PolicyContext } from './context.js';
import type { Finding } from './findings.js';
import { findingsOf, type Rule, type SeveredFinding } from './rule.js';
import type { Mode } from '../facts.js';
import { exemptionOf, modeOf, switched } from './enforcement.js';
import { mutatePod, type Mutation } from './mutate.js';
import { placementOf, type Placement } from './placement.js';
import { rules, unreadableFindings } from './rules/index.js';
import { hasPod, type Subject } from './subject.js';

export interface Decision {
  readonly allowed: boolean;
  /** Why it is denied: empty when allowed. */
  readonly findings: readonly Finding[];
  /** Allowed, but worth telling the user. */
  readonly warnings: readonly Finding[];
  /** RFC 6902 operations that turn the submitted object into the admitted one. */
  readonly patch: readonly PatchOperation[];
  /** In audit mode: what enforce would have said (each denial or warning), for the log and the metrics. */
  readonly audited?: readonly SeveredFinding[];
  /** The ids of the rules that judged the object (less those switched off), found something or not. */
  readonly judged?: readonly string[];
  /** Why the request was not judged at all (an exempt user, namespace, ...). */
  readonly exempt?: string;
  /** Where the object's pods run, for kinds judged only on ECI: the one answer. */
  readonly placement?: Placement;
}

const unchanged: Decision = { allowed: true, findings: [], warnings: [], patch: [] };

/** Subresources whose object is the pod itself; all others (status, scale, ...) pass. */
const checkedSubresources: ReadonlySet<string> = new Set(['', 'ephemeralcontainers']);

/**
 * What the caller uses of the decision: the mutating webhook only the patch, the validating one
 * only the verdict (of the mutated object), the CLI both. Only what is used is computed.
 */
export type Purpose = 'mutate' | 'validate' | 'both';

/**
 * The decision, guarded: whatever the request holds, the answer is a decision. A request nested
 * past any real object is refused before anything recurses over it; anything else that throws
 * while judging is refused with its reason. Refused, not allowed: under failurePolicy Ignore an
 * error would admit the object unchecked.
 */
export function decide(request: AdmissionRequest, context: PolicyContext, purpose: Purpose = 'both'): Decision {
  if (depthExceeds(request, maxObjectDepth))
    return unreadable(`is nested deeper than ${maxObjectDepth} levels, the limit; no Kubernetes object is`);
  try {
    return judge(request, context, purpose);
  } catch (error) {
    return unreadable(`cannot be judged: ${(error as Error)?.message ?? String(error)}`);
  }
}

function unreadable(message: string): Decision {
  const finding = {
    rule: unreadableFindings.id,
    path: 'object',
    message,
    workaround: unreadableFindings.workaround,
  };
  return { allowed: false, findings: [finding], warnings: [], patch: [] };
}

function judge(request: AdmissionRequest, context: PolicyContext, purpose: Purpose): Decision {
  const object = admittedObject(request);
  const kind = kindKey(request.kind);
  if (object === undefined || !isHandledKind(kind)) return unchanged;
  const submitted = podTemplateOf(kind, object);
  const placement = isRoutedKind(kind) ? placementOf(submitted, request.namespace, context) : undefined;
  const exempt = exemptionOf(request, kind, object, context.enforcement);
  if (exempt !== undefined) return { ...unchanged, exempt, ...(placement && { placement }) };
  const mutation = placement && mutationOf(request, kind, object, placement, context);
  // Validators judge the object as it will be stored: after our own mutation, which makes a new
  // pod (its view is taken again); anything else is judged as submitted.
  const stored = mutation?.pod ?? object;
  const pod = mutation ? podTemplateOf(kind, stored) : submitted;
  const subject: Subject = { kind, object: stored, pod, namespace: request.namespace, placement };
  const checked = purpose !== 'mutate' && (placement?.onEci ?? true);
  const judging = checked
    ? rulesJudging(kind, pod, stored).filter((rule) => context.enforcement.rules.get(rule.id) !== 'off')
    : [];
  const found = evaluate(judging, subject, context);
  const all = [
    ...(mutation?.warnings ?? []),
    ...(unchangedByUpdate(request, subject) ? found.map(asPreExisting) : found),
  ];
  const decision = verdict(
    switched(all, context.enforcement.rules),
    mutation && purpose !== 'validate' ? mutation.patch : [],
    modeOf(
      request.namespace === undefined ? undefined : context.namespaceLabels.get(request.namespace),
      context.enforcement,
    ),
  );
  // Which rules judged: only the CLI's reports use it, so the webhook's routes do not build it.
  const judgedBy = purpose === 'both' && judging.length > 0 ? { judged: judging.map((rule) => rule.id) } : {};
  return { ...decision, ...(placement && { placement }), ...judgedBy };
}

/** Pods are mutated when they are created: selector effects and virtual-node routing. */
function mutationOf(
  request: AdmissionRequest,
  kind: KindKey,
  object: KubernetesObject,
  placement: Placement,
  context: PolicyContext,
): Mutation | undefined {
  if (kind !== 'Pod' || request.operation !== 'CREATE' || request.subResource) return undefined;
  return mutatePod(object as V1Pod, placement, context);
}

/** The object to judge: CREATE and UPDATE of the resource itself (or its ephemeral containers). */
function admittedObject(request: AdmissionRequest): KubernetesObject | undefined {
  if (request.operation !== 'CREATE' && request.operation !== 'UPDATE') return undefined;
  if (!checkedSubresources.has(request.subResource ?? '')) return undefined;
  const object = request.object;
  return object === recordOrEmpty(object) ? (object as KubernetesObject) : undefined;
}

/**
 * The rules that judge an object: every pod rule when it has a pod template, and the object rules
 * of its kind that judge it. Without the object, those of its kind that may.
 */
export function rulesJudging(kind: KindKey, pod: PodTemplate | undefined, object?: KubernetesObject): Rule[] {
  return rulesOf(kind).filter((rule) => {
    if (rule.target === 'pod') return pod !== undefined;
    return object === undefined || (rule.judges?.(object) ?? true);
  });
}

/** The rules of a kind, in report order: listed once per kind, not filtered from all per request. */
function rulesOf(kind: KindKey): readonly Rule[] {
  return memo(rulesByKind, kind, () => rules.filter((rule) => rule.target === 'pod' || rule.kinds.includes(kind)));
}

const rulesByKind = new Map<KindKey, readonly Rule[]>();

function evaluate(judging: readonly Rule[], subject: Subject, context: PolicyContext): SeveredFinding[] {
  const found: SeveredFinding[] = [];
  for (const rule of judging) {
    const violations =
      rule.target === 'pod' ? (hasPod(subject) ? rule.check(subject, context) : []) : rule.check(subject, context);
    if (violations.length > 0) found.push(...findingsOf(rule, violations));
  }
  return found;
}

/**
 * An UPDATE that leaves the checked part as it was (labels, annotations, finalizers, replicas)
 * is not denied for what the object already had: denying it would leave objects admitted before
 * the webhook stuck, unable even to lose a finalizer. Pod Security Admission does the same.
 */
function unchangedByUpdate(request: AdmissionRequest, { kind, object, pod }: Subject): boolean {
  if (request.operation !== 'UPDATE' || !request.oldObject) return false;
  const old = request.oldObject;
  return isDeepStrictEqual(checkedPart(object, pod), checkedPart(old, podTemplateOf(kind, old)));
}

/**
 * What the rules read and ECI acts on. A workload's pod template whole: ECI reads its labels and
 * annotations for every pod created from it. A pod's spec only: ECI reads a pod's annotations when
 * it is created, so editing them later changes nothing. The eci-profile's data (a ConfigMap has no
 * spec: comparing specs let any profile update through). Any other object's spec.
 */
function checkedPart(object: KubernetesObject, template: PodTemplate | undefined): unknown {
  if (template !== undefined) {
    const { labels, annotations } = template.metadata;
    return template.specPath === 'spec' ? template.spec : { labels, annotations, spec: template.spec };
  }
  const record = recordOrEmpty(object);
  return 'spec' in record ? record.spec : record.data;
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
