// What /mutate does to a new pod: the eci-profile selector effects ("ECI Effect") and the
// virtual-node routing ("ECI Scheduler"), on a copy, with the RFC 6902 patch that makes the copy.
import type { V1Pod, V1Toleration } from '@kubernetes/client-node';
import jsonpatch, { type Operation as PatchOperation } from 'fast-json-patch';
import type { ProfileSelector } from '../profile/profile.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import type { PolicyContext } from './context.js';
import {
  formatInjected,
  injectedAnnotation,
  parseInjected,
  routingSetter,
  selectorSetter,
  type Injected,
} from './injected.js';
import type { Placement } from './placement.js';
import { routingFindings } from './rules/index.js';
import type { SeveredFinding } from './rule.js';
import { virtualNodeRouting, type LabelRoute } from './routing.js';

export interface Mutation {
  readonly pod: V1Pod;
  /**
   * The operations from the submitted pod to `pod`. The mutation only adds, so it writes them as
   * it goes: no diff of the two pods on the request path.
   */
  readonly patch: readonly PatchOperation[];
  readonly warnings: readonly SeveredFinding[];
}

/** Applies a placement decided by decide: the selectors' effects, then the virtual-node routing. */
export function mutatePod(original: V1Pod, placement: Placement, context: PolicyContext): Mutation {
  // A pod whose metadata or spec is not a map has nothing we could patch sanely: the validators
  // judge it as it is. The API server never sends one; a fuzzer or a broken client might.
  if (!isMapOrAbsent(original.metadata) || !isMapOrAbsent(original.spec))
    return { pod: original, patch: [], warnings: [] };
  const route = placement.labelRoute;
  const warnings = route?.legacy ? [legacyLabelWarning(route)] : [];
  const patch: PatchOperation[] = [];
  // Copy on write: untouched parts stay the submitted objects.
  const effected =
    placement.selectors.length > 0 ? withSelectorEffects(original, placement.selectors, patch) : original;
  const routed = placement.routed ? routeToVirtualNode(effected, context, warnings, patch) : effected;
  return {
    pod: patch.length === 0 ? routed : recorded(routed, whoSetWhat(original, routed, placement.selectors), patch),
    patch,
    warnings,
  };
}

/** The fields the mutation added, by who set them: the first selector with the key, or routing. */
function whoSetWhat(original: V1Pod, mutated: V1Pod, selectors: readonly ProfileSelector[]): Injected {
  // A later pass (reinvocation) adds to what an earlier one recorded.
  const earlier = parseInjected(original.metadata?.annotations?.[injectedAnnotation]) ?? {};
  const injected: Record<string, string[]> = Object.fromEntries(
    Object.entries(earlier).map(([setter, fields]) => [setter, [...fields]]),
  );
  const add = (setter: string, field: string) => {
    injected[setter] ??= [];
    injected[setter].push(field);
  };
  for (const map of ['annotations', 'labels'] as const) {
    for (const key of addedKeys(original.metadata?.[map], mutated.metadata?.[map])) {
      const setter = selectors.find((selector) => Object.hasOwn(selector[map], key));
      if (setter) add(selectorSetter(setter.name), `metadata.${map}[${JSON.stringify(key)}]`);
    }
  }
  for (const key of addedKeys(recordOrEmpty(original.spec?.nodeSelector), mutated.spec?.nodeSelector))
    add(routingSetter, `spec.nodeSelector[${JSON.stringify(key)}]`);
  const before = Array.isArray(original.spec?.tolerations) ? original.spec.tolerations.length : 0;
  const after = mutated.spec?.tolerations?.length ?? 0;
  if (after > before) add(routingSetter, `spec.tolerations[${after - 1}]`);
  return injected;
}

function addedKeys(before: Record<string, unknown> | undefined, after: Record<string, unknown> | undefined): string[] {
  return after === before || after === undefined
    ? []
    : Object.keys(after).filter((key) => before === undefined || !Object.hasOwn(before, key));
}

/** The pod with the record of what was set, and the operation that writes it. */
function recorded(pod: V1Pod, injected: Injected, patch: PatchOperation[]): V1Pod {
  const value = formatInjected(injected);
  const annotations = pod.metadata?.annotations;
  if (pod.metadata === undefined)
    patch.push({ op: 'add', path: '/metadata', value: { annotations: { [injectedAnnotation]: value } } });
  else if (annotations === undefined)
    patch.push({ op: 'add', path: '/metadata/annotations', value: { [injectedAnnotation]: value } });
  else
    patch.push({
      op: 'add',
      path: `/metadata/annotations/${jsonpatch.escapePathComponent(injectedAnnotation)}`,
      value,
    });
  return { ...pod, metadata: { ...pod.metadata, annotations: { ...annotations, [injectedAnnotation]: value } } };
}

function isMapOrAbsent(value: unknown): boolean {
  return value === undefined || value === recordOrEmpty(value);
}

/**
 * First writer wins: the pod's own keys, then selectors in array order. A pod that already carries
 * every effect (as the validating webhook receives it, mutated) is returned as it is.
 */
function withSelectorEffects(pod: V1Pod, selectors: readonly ProfileSelector[], patch: PatchOperation[]): V1Pod {
  const { annotations, labels } = pod.metadata ?? {};
  const effected = {
    annotations: selectors.reduce((map, selector) => withDefaults(map, selector.annotations), annotations),
    labels: selectors.reduce((map, selector) => withDefaults(map, selector.labels), labels),
  };
  if (effected.annotations === annotations && effected.labels === labels) return pod;
  const metadata = {
    ...pod.metadata,
    ...(effected.annotations && { annotations: effected.annotations }),
    ...(effected.labels && { labels: effected.labels }),
  };
  if (pod.metadata === undefined) patch.push({ op: 'add', path: '/metadata', value: metadata });
  else
    patch.push(
      ...additions('/metadata/annotations', annotations, effected.annotations),
      ...additions('/metadata/labels', labels, effected.labels),
    );
  return { ...pod, metadata };
}

/** What turns `before` into `after`, a map with the same keys and more (withDefaults' answer). */
function additions(
  path: string,
  before: Record<string, string> | undefined,
  after: Record<string, string> | undefined,
): PatchOperation[] {
  if (after === before || after === undefined) return [];
  if (before === undefined) return [{ op: 'add', path, value: after }];
  return Object.keys(after)
    .filter((key) => !Object.hasOwn(before, key))
    .map((key) => ({ op: 'add', path: `${path}/${jsonpatch.escapePathComponent(key)}`, value: after[key] }));
}

/** The map with the keys it lacks added from `defaults`: the same map when it lacks none. */
function withDefaults(
  map: Record<string, string> | undefined,
  defaults: Record<string, string>,
): Record<string, string> | undefined {
  const missing = Object.keys(defaults).some((key) => map === undefined || !Object.hasOwn(map, key));
  return missing ? { ...defaults, ...map } : map;
}

function routeToVirtualNode(
  pod: V1Pod,
  context: PolicyContext,
  warnings: SeveredFinding[],
  patch: PatchOperation[],
): V1Pod {
  const { nodeSelector, toleration } = virtualNodeRouting[context.routing];
  const spec = pod.spec ?? { containers: [] };
  const existing = recordOrEmpty(spec.nodeSelector) as Record<string, string>;
  for (const [key, value] of Object.entries(nodeSelector)) {
    if (Object.hasOwn(existing, key) && existing[key] !== value)
      warnings.push(conflictWarning(key, existing[key]!, value));
  }
  const selector = withDefaults(existing, nodeSelector)!;
  const tolerations = Array.isArray(spec.tolerations) ? spec.tolerations : undefined;
  const tolerated = tolerations?.some((present) => tolerates(present, toleration)) ?? false;
  if (selector === spec.nodeSelector && tolerated) return pod;
  const routed = {
    ...spec,
    nodeSelector: selector,
    ...(tolerated ? {} : { tolerations: [...(tolerations ?? []), toleration] }),
  };
  if (pod.spec === undefined) patch.push({ op: 'add', path: '/spec', value: routed });
  else {
    // A nodeSelector that is not a map is replaced whole ('add' replaces a member that exists).
    patch.push(...additions('/spec/nodeSelector', existing === spec.nodeSelector ? existing : undefined, selector));
    if (!tolerated)
      patch.push(
        tolerations
          ? { op: 'add', path: `/spec/tolerations/${tolerations.length}`, value: toleration }
          : { op: 'add', path: '/spec/tolerations', value: [toleration] },
      );
  }
  return { ...pod, spec: routed };
}

/** Kubernetes' own rule: an empty key with Exists tolerates every taint; an empty effect every effect. */
function tolerates(existing: V1Toleration, wanted: V1Toleration): boolean {
  if (existing?.effect && existing.effect !== wanted.effect) return false;
  if (existing?.operator === 'Exists') return !existing.key || existing.key === wanted.key;
  return existing?.key === wanted.key && (existing.value ?? '') === wanted.value;
}

function legacyLabelWarning(route: LabelRoute): SeveredFinding {
  return {
    rule: routingFindings.id,
    path: 'metadata.labels',
    message: `the ${route.label} is a legacy way to send pods to ECI`,
    workaround: 'label the pod or namespace alibabacloud.com/eci: "true" instead',
    severity: 'warn',
  };
}

function conflictWarning(key: string, theirs: string, ours: string): SeveredFinding {
  return {
    rule: routingFindings.id,
    path: `spec.nodeSelector["${key}"]`,
    message: `is ${JSON.stringify(theirs)}, so the pod may not reach a virtual node (${key}=${ours})`,
    workaround: `remove it or set it to ${JSON.stringify(ours)}`,
    severity: 'warn',
  };
}
