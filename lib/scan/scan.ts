// `scan`: the objects already in a cluster, judged as the webhook would judge them on creation,
// with the cluster's own profile and namespace labels. The cluster is read through a
// `ClusterReader` (client-node at the edge, a stand-in in the tests) a page at a time; only each
// object's result is kept, with a reference to it, so memory follows the findings, not the cluster.
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import { checkManifest, type CheckResult } from '../check/check.js';
import type { InputError, Manifest } from '../check/inputs.js';
import type { Report } from '../check/report/report.js';
import type { WebhookRouting } from '../check/webhook-routing.js';
import type { Labels, PolicyContext } from '../policy/context.js';
import { locationName, profileLocations } from '../profile/locations.js';
import { parseProfile, type Profile } from '../profile/profile.js';
import { objectPath, ownedByScannedKind, scanTargets, type ScanTarget } from './targets.js';

export interface PageRequest {
  /** Undefined: every namespace. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly limit: number;
  readonly continue?: string;
}

export interface ListPage {
  /** As the API server lists them: without apiVersion and kind. */
  readonly items: readonly KubernetesObject[];
  /** The token of the next page; absent or empty on the last. */
  readonly continue?: string;
}

/** The cluster as a scan reads it. Failures throw one-line errors naming the verb and resource. */
export interface ClusterReader {
  /** A page of the target's objects; undefined when the API server does not serve the target. */
  list(target: ScanTarget, request: PageRequest): Promise<ListPage | undefined>;
  configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  /** The labels of one namespace, or of every namespace when `name` is undefined. */
  namespaceLabels(name: string | undefined, limit: number): Promise<Map<string, Labels>>;
}

export interface ScanScope {
  /** Undefined: every namespace (`-A`). */
  readonly namespace?: string;
  readonly labelSelector?: string;
  /** Objects per list request. */
  readonly pageSize: number;
}

type ScanProgress = (scanned: number, resource: string) => void;

/** The pages of one target, requested one after the other, following the continue token. */
async function* pagesOf(
  reader: ClusterReader,
  target: ScanTarget,
  scope: ScanScope,
): AsyncGenerator<readonly KubernetesObject[]> {
  let token: string | undefined;
  do {
    const page = await reader.list(target, {
      ...(scope.namespace === undefined ? {} : { namespace: scope.namespace }),
      ...(scope.labelSelector === undefined ? {} : { labelSelector: scope.labelSelector }),
      limit: scope.pageSize,
      ...(token === undefined ? {} : { continue: token }),
    });
    if (page === undefined) return;
    yield page.items;
    token = page.continue || undefined;
  } while (token !== undefined);
}

/**
 * The profile the webhook would use: the first location holding a ConfigMap; the embedded one
 * when there is none. A refused profile is an error of the scan (the webhook would keep its last
 * good one, which a scan cannot know), and the embedded profile is used.
 */
async function clusterProfile(
  reader: ClusterReader,
  context: PolicyContext,
): Promise<{ profile?: Profile; error?: InputError }> {
  for (const location of profileLocations) {
    const configMap = await reader.configMap(location.namespace, location.name);
    if (configMap === undefined) continue;
    const source = `cluster ${locationName(location)}`;
    const parsed = parseProfile(configMap.data ?? {}, source, context.schemas);
    if (parsed.profile) return { profile: parsed.profile };
    const reasons = parsed.problems
      .filter((problem) => problem.severity === 'deny')
      .map((problem) => `${problem.path}: ${problem.message}`);
    return {
      error: {
        file: locationName(location),
        line: 0,
        message: `${source} refused, the embedded profile used: ${reasons.join('; ')}`,
      },
    };
  }
  return {};
}

/** Every target's objects in scope, judged; objects a scanned controller owns are left to their owner. */
async function scanObjects(
  reader: ClusterReader,
  scope: ScanScope,
  context: PolicyContext,
  routing: WebhookRouting,
  progress?: ScanProgress,
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const target of scanTargets) {
    for await (const items of pagesOf(reader, target, scope)) {
      for (const item of items) {
        if (ownedByScannedKind(item)) continue;
        results.push(judge({ ...item, apiVersion: target.apiVersion, kind: target.kind }, target, context, routing));
      }
      progress?.(results.length, target.resource);
    }
  }
  return results;
}

/** The result keeps a reference to the object, not the object: the page can be collected. */
function judge(
  object: KubernetesObject,
  target: ScanTarget,
  context: PolicyContext,
  routing: WebhookRouting,
): CheckResult {
  const { name = '', namespace, uid } = object.metadata ?? {};
  const manifest: Manifest = { file: objectPath(target, namespace, name), line: 0, object, lineOf: () => 0, notes: [] };
  const result = checkManifest(manifest, context, routing);
  const reference = {
    apiVersion: target.apiVersion,
    kind: target.kind,
    metadata: { name, ...(namespace ? { namespace } : {}), ...(uid ? { uid } : {}) },
  };
  return { ...result, manifest: { ...manifest, object: reference } };
}

export interface ScanInput {
  readonly reader: ClusterReader;
  readonly scope: ScanScope;
  /** The settings' context; its profile is replaced by the cluster's unless `profileGiven`. */
  readonly context: PolicyContext;
  /** `--profile FILE`: the context's profile is the file's, not the cluster's. */
  readonly profileGiven: boolean;
  readonly routing: WebhookRouting;
  readonly strict: boolean;
  readonly progress?: ScanProgress;
}

/** The whole scan: the cluster's context first, then every object in scope. */
export async function scanCluster(input: ScanInput): Promise<Report> {
  const { reader, scope } = input;
  const found = input.profileGiven ? {} : await clusterProfile(reader, input.context);
  const namespaceLabels = await reader.namespaceLabels(scope.namespace, scope.pageSize);
  const context: PolicyContext = {
    ...input.context,
    namespaceLabels,
    ...(found.profile ? { profile: found.profile } : {}),
  };
  const results = await scanObjects(reader, scope, context, input.routing, input.progress);
  return { results, errors: found.error ? [found.error] : [], strict: input.strict };
}
