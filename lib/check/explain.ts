// `explain`: for each pod or pod template, the answer to "why did my pod get this?": which
// eci-profile selectors matched and why, what /mutate would add, whether and why it goes to ECI,
// and what /validate would say. For any other object, which rules judge it and what they say.
import type { V1Pod } from '@kubernetes/client-node';
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { PolicyContext } from '../policy/context.js';
import { decide, rulesJudging, type Decision } from '../policy/decide.js';
import { formatFinding } from '../policy/findings.js';
import { injectedAnnotation, parseInjected } from '../policy/injected.js';
import { mutatePod } from '../policy/mutate.js';
import { billedSpecLine } from '../policy/rules/billed-spec.js';
import type { Placement } from '../policy/placement.js';
import { fieldPath } from '../json-schema/messages.js';
import { isProfileLocation, locationName, profileLocations } from '../profile/locations.js';
import type { ProfileSelector } from '../profile/profile.js';
import { groupVersionKindOf, isHandledKind, isRoutedKind, kindKey } from '../workload/kinds.js';
import { podTemplateOf, type PodTemplate } from '../workload/pod-template.js';
import { requestOf } from './check.js';
import type { Manifest } from './inputs.js';
import { judgedNamespace, namespaceOf, qualifiedName } from './namespaces.js';

const notOnEci = 'no: no ECI label, virtual-node nodeSelector or selector sends it there';

export function explain(manifests: readonly Manifest[], context: PolicyContext): string {
  return manifests.flatMap((manifest) => explainOne(manifest, context)).join('\n');
}

function explainOne(manifest: Manifest, context: PolicyContext): string[] {
  const { object } = manifest;
  const kind = kindKey(groupVersionKindOf(object));
  const pod = podTemplateOf(kind, object);
  if (pod === undefined) return explainObject(manifest, kind, context);
  const namespace = namespaceOf(object);
  const namespaceLabels = context.namespaceLabels.get(namespace) ?? {};
  const decision = decide(requestOf(object, namespace, object.metadata?.name ?? ''), context);
  // Every kind with a pod template has a placement: it is decide's, not worked out again here.
  const placement = decision.placement!;
  const reason = placement.reason;
  const mutation = mutatePod(
    { apiVersion: 'v1', kind: 'Pod', metadata: pod.metadata, spec: pod.spec as V1Pod['spec'] },
    placement,
    context,
  );
  return [
    header(manifest, namespace),
    `  namespace ${namespace}: ${labelList(namespaceLabels)}`,
    `  runs on ECI: ${reason ? `yes, because ${reason}` : notOnEci}`,
    '  eci-profile selectors:',
    ...(context.profile.selectors.length === 0
      ? ['    (none in the profile)']
      : context.profile.selectors.map(
          (s) => `    ${s.name}: ${selectorVerdict(s, pod, namespaceLabels, placement.onEci)}`,
        )),
    `  ${object.kind === 'Pod' ? 'the pod gets' : 'its pods get'}:`,
    ...injected(mutation.patch),
    ...recordedLines(pod),
    ...billedLine(mutation.pod, pod, placement),
    ...findingLines(decision),
    '',
  ];
}

/** An object without pods: the rules that judge its kind, and what they find. */
function explainObject(manifest: Manifest, kind: string, context: PolicyContext): string[] {
  const { object } = manifest;
  const namespace = judgedNamespace(object);
  const judging = isHandledKind(kind) ? rulesJudging(kind, undefined).map((rule) => rule.id) : [];
  const title = header(manifest, namespace);
  if (judging.length === 0) return [title, `  not judged: eci-admission has no rule for ${object.kind} objects`, ''];
  if (kind === 'ConfigMap' && !isProfileLocation(namespace, object.metadata?.name)) {
    return [
      title,
      `  not judged: of ConfigMaps only the profiles are (${profileLocations.map(locationName).join(', ')})`,
      '',
    ];
  }
  const decision = decide(requestOf(object, namespace, object.metadata?.name ?? ''), context);
  const scope =
    context.clusterMode === 'hybrid' && isRoutedKind(kind)
      ? ' (in a hybrid cluster, only when its namespace sends pods to ECI)'
      : '';
  return [title, `  judged by: ${judging.join(', ')}${scope}`, ...findingLines(decision), ''];
}

/** `Kind/namespace/name (file:line)`. */
function header({ object, file, line }: Manifest, namespace: string | undefined): string {
  return `${qualifiedName(object.kind, namespace, object.metadata?.name ?? '')} (${file}:${line})`;
}

function findingLines(decision: Decision): string[] {
  const lines = [
    ...decision.findings.map((f) => `    deny ${formatFinding(f)}`),
    ...decision.warnings.map((f) => `    warn ${formatFinding(f)}`),
    ...(decision.audited ?? []).map((f) => `    audit ${formatFinding(f)}`),
  ];
  return ['  findings:', ...(lines.length === 0 ? ['    none'] : lines)];
}

function selectorVerdict(
  selector: ProfileSelector,
  pod: PodTemplate,
  namespaceLabels: Record<string, string>,
  onEci: boolean,
): string {
  const namespace = selector.matchesNamespace(namespaceLabels);
  const labels = selector.matchesObject(pod.metadata.labels);
  if (!namespace) return 'not matched: its namespaceSelector does not match the namespace labels';
  if (!labels) return 'not matched: its objectSelector does not match the pod labels';
  if (!selector.constrained)
    return onEci
      ? 'matched: it has no selectors, so it applies to every ECI pod'
      : 'not applied: it has no selectors and the pod does not run on ECI';
  return 'matched: its namespaceSelector and objectSelector both match';
}

/** What an earlier /mutate recorded on a pod read back from the cluster (`kubectl get pod -o yaml`). */
function recordedLines(pod: PodTemplate): string[] {
  const value = pod.metadata.annotations?.[injectedAnnotation];
  if (value === undefined) return [];
  const injected = parseInjected(value);
  if (!injected) return [`  ${injectedAnnotation}: not a record eci-admission wrote`];
  const lines = Object.entries(injected).flatMap(([setter, fields]) =>
    fields.map((field) => `    ${field}: by ${setter}`),
  );
  return [`  set when it was admitted (${injectedAnnotation}):`, ...(lines.length === 0 ? ['    nothing'] : lines)];
}

/** The spec ECI bills a pod made from the template as, once mutated (a profile may set eci-use-specs). */
function billedLine(mutated: V1Pod, template: PodTemplate, placement: Placement): string[] {
  if (!placement.onEci) return [];
  const line = billedSpecLine({ ...template, metadata: mutated.metadata ?? {}, spec: mutated.spec ?? {} });
  return line ? [`  ECI spec: ${line}`] : [];
}

/** What /mutate adds to a pod made from the template, one leaf field per line. */
function injected(patch: readonly PatchOperation[]): string[] {
  const lines = patch.flatMap((operation) =>
    'value' in operation ? leaves(operation.path, operation.value) : [`${operation.op} ${fieldPath(operation.path)}`],
  );
  return lines.length === 0 ? ['    nothing'] : lines.map((line) => `    + ${line}`);
}

function leaves(pointer: string, value: unknown): string[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([key, inner]) =>
      leaves(`${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`, inner),
    );
  }
  return [`${fieldPath(pointer).replace(/^\./, '')}: ${JSON.stringify(value)}`];
}

function labelList(labels: Record<string, string>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? 'no labels' : entries.map(([key, value]) => `${key}=${value}`).join(', ');
}
