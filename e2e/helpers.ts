// What the e2e tests share: namespaces, the eci-profile in the cluster, objects read back, and the
// webhook's own view (/readyz, /metrics). Everything goes through kubectl and the real API server.
import { execFile } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { KubernetesObject, V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, type Run } from '../test/helpers/cli.js';
import { kubectl, kubectlOk } from './kubectl.js';
import { adminKubeconfig, e2eModuleDir, installDir, stateDir, webhookCertDir } from './paths.js';
import { waitFor } from './processes.js';
import type { WebhookState } from './state.js';
import { firstReplica, runningReplicas, untilApiServerCallsWebhook, webhookGet } from './webhook.js';

export { kubectl, kubectlOk } from './kubectl.js';

/**
 * Creates (or relabels) a namespace, and waits for the default ServiceAccount that the
 * controller-manager makes in it: until then the ServiceAccount admission plugin refuses its pods.
 */
export async function namespace(name: string, labels: Record<string, string> = {}): Promise<string> {
  const object = { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
  await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(object) });
  await waitFor(
    `the default ServiceAccount of ${name}`,
    async () => (await kubectl(['get', 'serviceaccount', 'default', '-n', name])).code === 0,
    30_000,
  );
  return name;
}

/** Eci-admission's webhook configurations, which a test removes to see what the cluster does without them. */
export const webhookConfigurations = ['validatingwebhookconfiguration', 'mutatingwebhookconfiguration'] as const;

/** Removes the webhooks until the test ends, then creates them again and waits until the API server calls them. */
export async function withoutWebhooks(t: { teardown(fn: () => Promise<void>): void }): Promise<void> {
  const saved = await savedWebhookConfigurations();
  for (const kind of webhookConfigurations) await kubectlOk(['delete', kind, 'eci-admission']);
  t.teardown(async () => {
    for (const configuration of saved) await kubectlOk(['create', '-f', '-'], { input: configuration });
    if (runningReplicas().length > 0) await untilApiServerCallsWebhook();
  });
}

/**
 * The PolicyReport and ClusterPolicyReport CRDs of sigs.k8s.io/wg-policy-prototypes, at the
 * version e2e/policyreport/go.mod pins, read from the Go module cache (`go mod download` checks
 * them against its go.sum), applied and established.
 */
export async function installPolicyReportCrds(): Promise<void> {
  const module = 'sigs.k8s.io/wg-policy-prototypes';
  const { stdout } = await promisify(execFile)('go', ['mod', 'download', '-json', module], {
    cwd: join(e2eModuleDir, 'policyreport'),
  });
  await kubectlOk([
    'apply',
    '-f',
    join((JSON.parse(stdout) as { Dir: string }).Dir, 'policy-report', 'crd', 'v1alpha2'),
  ]);
  await kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd/policyreports.wgpolicyk8s.io',
    'crd/clusterpolicyreports.wgpolicyk8s.io',
  ]);
}

/** The webhook configurations as stored, ready to be created again. */
export async function savedWebhookConfigurations(): Promise<string[]> {
  return Promise.all(
    webhookConfigurations.map(async (kind) => {
      const stored = JSON.parse(await kubectlOk(['get', kind, 'eci-admission', '-o', 'json'])) as {
        metadata: Record<string, unknown>;
      };
      const { name, labels, annotations } = stored.metadata;
      return JSON.stringify({ ...stored, metadata: { name, labels, annotations } });
    }),
  );
}

export async function getJson<T = KubernetesObject>(kind: string, name: string, ns?: string): Promise<T> {
  return JSON.parse(await kubectlOk(['get', kind, name, '-o', 'json', ...(ns ? ['-n', ns] : [])])) as T;
}

/** `kubectl <verb> -f -` of objects given as JSON. */
export function kubectlObjects(args: readonly string[], ...objects: KubernetesObject[]) {
  const input = JSON.stringify(objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects });
  return kubectl([...args, '-f', '-'], { input });
}

export function pod(
  name: string,
  ns: string,
  labels: Record<string, string> = {},
  spec: Partial<V1Pod['spec']> = {},
): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
  };
}

/** A Deployment of one nginx replica, with these volumes in its pod template. */
export function deployment(name: string, ns: string, volumes: unknown[] = []): KubernetesObject {
  const template = {
    metadata: { labels: { app: name } },
    spec: { containers: [{ name: 'app', image: 'nginx' }], volumes },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: { replicas: 1, selector: { matchLabels: { app: name } }, template },
  } as KubernetesObject;
}

export interface Selector {
  readonly name: string;
  readonly namespaceSelector?: unknown;
  readonly objectSelector?: unknown;
  readonly effect: { annotations?: Record<string, string>; labels?: Record<string, string> };
}

export type ProfileName = 'eci-profile' | 'acs-profile';

export function profileConfigMap(
  selectors: readonly Selector[] | string,
  name: ProfileName = 'eci-profile',
): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: 'kube-system' },
    data: { selectors: typeof selectors === 'string' ? selectors : JSON.stringify(selectors) },
  };
}

/** Applies a profile and waits until the webhook serves it (the watch, not a restart). */
export async function applyProfile(selectors: readonly Selector[], name: ProfileName = 'eci-profile'): Promise<void> {
  const applied = await kubectlObjects(
    ['apply', '-o', 'jsonpath={.metadata.resourceVersion}'],
    profileConfigMap(selectors, name),
  );
  if (applied.code !== 0) throw new Error(`the ${name} was refused: ${applied.stderr}`);
  await untilProfile((profile) => profile.endsWith(`${name}@${applied.stdout.trim()}`));
}

export async function deleteProfile(name: ProfileName = 'eci-profile'): Promise<void> {
  await kubectlOk(['delete', 'configmap', name, '-n', 'kube-system', '--ignore-not-found']);
  await untilProfile((profile) => !profile.includes(`kube-system/${name}@`));
}

/** The profile a replica (the first, unless named) names in /readyz. */
export async function webhookProfile(replica: WebhookState = firstReplica()): Promise<string> {
  const { body } = await webhookGet(replica, '/readyz');
  return (JSON.parse(body) as { profile?: string }).profile ?? '';
}

/** Until every replica serves the profile wanted. */
async function untilProfile(wanted: (profile: string) => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  let last: string[] = [];
  while (Date.now() < deadline) {
    last = await Promise.all(runningReplicas().map((replica) => webhookProfile(replica)));
    if (last.length > 0 && last.every(wanted)) return;
    await sleep(100);
  }
  throw new Error(`the webhook did not take the new eci-profile into use (its replicas serve ${last.join(', ')})`);
}

export function webhookPid(): number | undefined {
  return runningReplicas()[0]?.pid;
}

/** `eci-admission register` as an admin runs it, for the configurations of the e2e install. */
export async function register(): Promise<Run> {
  const configurations = join(stateDir, 'install.yaml');
  writeFileSync(configurations, await kubectlOk(['kustomize', installDir]));
  return run(['register', '--cert-dir', webhookCertDir, '--configurations', configurations], {
    env: { KUBECONFIG: adminKubeconfig },
  });
}
