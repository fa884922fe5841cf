// The Helm chart (charts/eci-admission): it lints, renders the objects of deploy/, takes its values,
// and installs on the real API server, whose webhook then answers.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { binaries } from '../binaries.js';
import { kubectl, kubectlObjects, kubectlOk, namespace, register } from '../helpers.js';
import { adminKubeconfig, installDir, repoRoot, webhookCertDir } from '../paths.js';
import { firstReplica } from '../webhook.js';

const chart = join(repoRoot, 'charts', 'eci-admission');

interface K8sObject {
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  webhooks?: Array<{ name: string; clientConfig: Record<string, unknown>; failurePolicy?: string }>;
  spec?: Record<string, unknown>;
}

function helm(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(binaries().helm.path, args, { env: { ...process.env, KUBECONFIG: adminKubeconfig } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

const parse = (yaml: string) =>
  parseAllDocuments(yaml)
    .map((document) => document.toJS() as K8sObject)
    .filter(Boolean);
const key = (object: K8sObject) => `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;

async function template(...values: string[]): Promise<K8sObject[]> {
  const rendered = await helm([
    'template',
    'eci-admission',
    chart,
    '--namespace',
    'eci-admission',
    ...values.flatMap((value) => ['--set', value]),
  ]);
  if (rendered.code !== 0) throw new Error(rendered.stderr);
  return parse(rendered.stdout);
}

/** What Helm adds on top of deploy/: its own labels, and the caBundle of the certificate it issued. */
function withoutHelm(object: K8sObject): K8sObject {
  const copy = structuredClone(object);
  for (const label of ['app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'helm.sh/chart'])
    delete copy.metadata.labels?.[label];
  for (const webhook of copy.webhooks ?? []) delete webhook.clientConfig.caBundle;
  return copy;
}

t.test('helm lint passes', async (t) => {
  const linted = await helm(['lint', chart, '--strict']);
  t.equal(linted.code, 0, linted.stdout + linted.stderr);
});

t.test('helm template with the defaults renders the objects of deploy/', async (t) => {
  const chartObjects = new Map((await template()).map((object) => [key(object), object]));
  const kustomized = parse(await kubectlOk(['kustomize', join(repoRoot, 'deploy')])).filter(
    (object) => object.kind !== 'Namespace',
  );
  for (const object of kustomized) {
    const rendered = chartObjects.get(key(object));
    t.ok(rendered, `the chart renders ${key(object)}`);
    if (rendered) t.same(withoutHelm(rendered), object, `${key(object)} is the same object`);
    chartObjects.delete(key(object));
  }
  t.same(
    [...chartObjects.keys()],
    ['Secret/eci-admission/eci-admission-tls'],
    'and the self-signed Secret, nothing else',
  );
});

t.test("the values reach serve's config file, the webhooks and the certificate source", async (t) => {
  const objects = await template(
    'clusterMode=hybrid',
    'mode=warn',
    'exemptNamespaces={batch,ci}',
    'exemptServiceAccounts={ci/deployer}',
    'registration=true',
    'backgroundScan.interval=15m',
    'webhooks.validate.failurePolicy=Fail',
    'webhooks.mutate.timeoutSeconds=3',
    'certificates.source=cert-manager',
    'replicas=3',
  );
  const deployment = objects.find((object) => object.kind === 'Deployment') as unknown as {
    spec: {
      replicas: number;
      template: { spec: { containers: Array<{ args: string[] }>; volumes: Array<{ configMap?: { name: string } }> } };
    };
  };
  t.equal(deployment.spec.replicas, 3);
  t.same(
    deployment.spec.template.spec.containers[0]?.args,
    [
      'serve',
      '--host=0.0.0.0',
      '--cert-dir=/certs',
      '--port=8443',
      '--log-format=json',
      '--config=/etc/eci-admission/config.yaml',
      '--shutdown-delay=10s',
      '--register',
      '--background-scan=15m',
    ],
    'only what needs a restart is a flag',
  );
  t.same(
    objects
      .filter((object) => object.metadata.name.endsWith('-background-scan'))
      .map((object) => `${object.kind}/${object.metadata.namespace ?? ''}`),
    ['ClusterRole/', 'ClusterRoleBinding/', 'Role/eci-admission', 'RoleBinding/eci-admission'],
    "backgroundScan.interval brings the RBAC of deploy/background-scan, its Lease's in the release's namespace",
  );
  const configMap = objects.find((object) => object.kind === 'ConfigMap') as unknown as {
    metadata: { name: string };
    data: Record<string, string>;
  };
  t.equal(
    deployment.spec.template.spec.volumes.find((volume) => volume.configMap)?.configMap?.name,
    configMap.metadata.name,
    'the Deployment mounts the ConfigMap',
  );
  t.match(
    parse(configMap.data['config.yaml']!)[0],
    {
      clusterMode: 'hybrid',
      mode: 'warn',
      exemptNamespaces: ['batch', 'ci'],
      exemptServiceAccounts: ['ci/deployer'],
      routing: 'ack-virtual-node',
    },
    "the values are the config file's keys",
  );
  const validating = objects.find((object) => object.kind === 'ValidatingWebhookConfiguration')!;
  t.equal(validating.webhooks?.find((webhook) => webhook.name === 'validate.eci-admission.svc')?.failurePolicy, 'Fail');
  t.equal(
    validating.webhooks?.find((webhook) => webhook.name === 'resourcepolicies.eci-admission.svc')?.failurePolicy,
    'Fail',
  );
  t.equal(validating.metadata.annotations?.['cert-manager.io/inject-ca-from'], 'eci-admission/eci-admission');
  t.notOk(
    objects.some((object) => object.kind === 'Secret'),
    'cert-manager makes the Secret',
  );
  t.same(
    objects
      .filter((object) => object.kind === 'Certificate')
      .map((object) => object.metadata.name)
      .sort(),
    ['eci-admission', 'eci-admission-ca'],
  );
  const invalid = await helm(['template', 'x', chart, '--set', 'mode=block']);
  t.not(invalid.code, 0, 'values.schema.json refuses an unknown mode');
  t.match(invalid.stderr, 'mode');
});

t.test('helm install on the API server: every object is created and its webhook answers', async (t) => {
  const ns = await namespace('eci-helm');
  const replica = firstReplica();
  const webhookUrl = `https://${replica.address}:${replica.port}`;
  const caBundle = readFileSync(join(webhookCertDir, 'ca.crt')).toString('base64');
  // The chart's configurations call a replica e2e:up runs by URL (the release's own Service has
  // no endpoints here), and trust its CA; the kustomize install's configurations step aside meanwhile.
  await kubectlOk(['delete', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', 'eci-admission']);
  t.teardown(restoreKustomizeInstall);
  const installed = await helm([
    'install',
    'eci-helm',
    chart,
    '--namespace',
    ns,
    '--set',
    'fullnameOverride=eci-helm',
    '--set',
    `webhooks.url=${webhookUrl}`,
    '--set',
    'certificates.source=secret',
    '--set',
    'certificates.secretName=eci-helm-tls',
    '--set',
    `certificates.caBundle=${caBundle}`,
  ]);
  t.equal(installed.code, 0, installed.stderr);
  t.teardown(() => helm(['uninstall', 'eci-helm', '--namespace', ns]).then(() => undefined));
  const manifest = parse((await helm(['get', 'manifest', 'eci-helm', '--namespace', ns])).stdout);
  t.same(manifest.map((object) => object.kind).sort(), [
    'ClusterRole',
    'ClusterRoleBinding',
    'ConfigMap',
    'Deployment',
    'MutatingWebhookConfiguration',
    'NetworkPolicy',
    'PodDisruptionBudget',
    'Role',
    'RoleBinding',
    'Service',
    'ServiceAccount',
    'ValidatingWebhookConfiguration',
  ]);
  for (const object of manifest) {
    const found = await kubectl([
      'get',
      object.kind,
      object.metadata.name,
      ...(object.metadata.namespace ? ['-n', object.metadata.namespace] : []),
    ]);
    t.equal(found.code, 0, `${key(object)} exists`);
  }
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'agent', namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: 'a' } },
      template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'a', image: 'busybox' }] } },
    },
  };
  const refused = await untilRefused(() => kubectlObjects(['apply', '--dry-run=server'], daemonSet as never));
  t.equal(refused.code, 1);
  t.match(
    refused.stderr,
    'admission webhook "validate.eci-helm.svc" denied the request',
    'refused by the webhook the chart installed',
  );
  t.match(refused.stderr, 'daemonset: kind: DaemonSets are not supported on ECI');
});

/** New configurations reach the admission chain a moment after they are written. */
async function untilRefused(attempt: () => ReturnType<typeof kubectl>) {
  let result = await attempt();
  for (let tries = 0; tries < 100 && result.code === 0; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    result = await attempt();
  }
  return result;
}

async function restoreKustomizeInstall(): Promise<void> {
  await kubectlOk(['apply', '-k', installDir]);
  const registered = await register();
  if (registered.code !== 0) throw new Error(registered.stderr);
}
