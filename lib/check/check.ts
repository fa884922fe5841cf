// `check`: each manifest routed as the API server would route it, then judged by the same decide
// as the webhook, as a CREATE in its namespace.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Operation as PatchOperation } from 'fast-json-patch';
import type { AdmissionRequest } from '../admission/review.js';
import { webhookPaths } from '../facts.js';
import type { Labels, PolicyContext } from '../policy/context.js';
import { decide } from '../policy/decide.js';
import type { Finding, SeveredFinding } from '../policy/findings.js';
import { groupVersionKindOf } from '../workload/kinds.js';
import type { LocatedFinding, Manifest } from './inputs.js';
import { judgedNamespace } from './namespaces.js';
import type { WebhookRouting } from './webhook-routing.js';

/** `skipped`: no eci-admission webhook is called for it in the cluster. */
type Verdict = 'admitted' | 'denied' | 'skipped';

export interface CheckResult {
  readonly manifest: Manifest;
  /** None for a cluster-scoped object. */
  readonly namespace: string | undefined;
  readonly name: string;
  readonly verdict: Verdict;
  /** Each with the line of the field it names. */
  readonly findings: readonly LocatedFinding[];
  /** What reading the manifest noticed, then the decision's warnings. */
  readonly warnings: readonly LocatedFinding[];
  /** What an audit-mode namespace (or `--mode audit`) records without a word to the user: each would deny or warn. */
  readonly audited: readonly (LocatedFinding & Pick<SeveredFinding, 'severity'>)[];
  /** The ids of the rules that judged it (none when it was not sent to /validate). */
  readonly judged: readonly string[];
  /** What /mutate would change (pods only). */
  readonly patch: readonly PatchOperation[];
}

/**
 * Labels of every namespace named in the input or on the command line, with the
 * `kubernetes.io/metadata.name` label the API server gives every namespace.
 */
export function namespaceLabelsOf(
  manifests: readonly Manifest[],
  extra: ReadonlyMap<string, Labels>,
): Map<string, Labels> {
  const labels = new Map<string, Labels>();
  const add = (name: string, more: Labels) =>
    labels.set(name, { ...labels.get(name), ...more, 'kubernetes.io/metadata.name': name });
  for (const { object } of manifests) {
    if (object.kind === 'Namespace' && object.apiVersion === 'v1' && object.metadata?.name)
      add(object.metadata.name, object.metadata.labels ?? {});
  }
  for (const namespace of manifests.map(({ object }) => judgedNamespace(object))) if (namespace) add(namespace, {});
  for (const [name, more] of extra) add(name, more);
  return labels;
}

const progressEvery = 250;

export function checkManifests(
  manifests: readonly Manifest[],
  context: PolicyContext,
  routing: WebhookRouting,
  progress?: (done: number, total: number) => void,
): CheckResult[] {
  return manifests.map((manifest, index) => {
    const done = index + 1;
    if (progress && (done % progressEvery === 0 || done === manifests.length)) progress(done, manifests.length);
    return checkManifest(manifest, context, routing);
  });
}

/** One object, as a CREATE in its namespace, through the routing of the webhook configurations. */
export function checkManifest(manifest: Manifest, context: PolicyContext, routing: WebhookRouting): CheckResult {
  const { object, notes } = manifest;
  const namespace = judgedNamespace(object);
  const labels = namespace === undefined ? {} : context.namespaceLabels.get(namespace);
  const paths = routing.pathsFor(object, 'CREATE', labels ?? {});
  const base = { manifest, namespace, name: object.metadata?.name ?? object.metadata?.generateName ?? '' };
  if (paths.size === 0)
    return { ...base, verdict: 'skipped', findings: [], warnings: notes, audited: [], judged: [], patch: [] };
  const decision = decide(requestOf(object, namespace, base.name), context);
  const validated = paths.has(webhookPaths.validate);
  const located = <F extends Finding>(findings: readonly F[]) =>
    validated ? findings.map((finding) => ({ ...finding, line: manifest.lineOf(finding.path) })) : [];
  return {
    ...base,
    verdict: validated && !decision.allowed ? 'denied' : 'admitted',
    findings: located(decision.findings),
    warnings: [...notes, ...located(decision.warnings)],
    audited: located(decision.audited ?? []),
    judged: validated ? (decision.judged ?? []) : [],
    patch: paths.has(webhookPaths.mutate) ? decision.patch : [],
  };
}

/** As the API server sends it: a cluster-scoped object in no namespace. */
export function requestOf(object: KubernetesObject, namespace: string | undefined, name: string): AdmissionRequest {
  const common = { uid: 'eci-admission-check', kind: groupVersionKindOf(object), operation: 'CREATE', name } as const;
  if (namespace === undefined) return { ...common, object };
  return { ...common, namespace, object: { ...object, metadata: { ...object.metadata, namespace } } };
}
