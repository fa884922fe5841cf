// Kyverno's admission controller out of cluster, against the e2e API server: the peer of
// `npm run bench:cluster`. It registers its webhooks by URL (--serverIP) and makes its own CA and
// serving certificate; it needs its CRDs (read from its module's source in the Go module cache),
// its namespace and its ConfigMap. It runs as admin: its RBAC is not what is measured.
import { join } from 'node:path';
import { kubectl, kubectlObjects, kubectlOk, namespace } from '../e2e/helpers.js';
import { moduleSource, type Binary } from '../e2e/binaries.js';
import { adminKubeconfig, repoRoot } from '../e2e/paths.js';
import { startDetached, stop, waitFor, type Started } from '../e2e/processes.js';
import { addToState } from '../e2e/state.js';

const kyvernoNamespace = 'kyverno';
/** The checks: what `kyverno apply` is compared with `eci-admission check` on. */
export const policiesDir = join(repoRoot, 'bench', 'kyverno', 'policies');
/** The eci-profile's selectors as mutate rules: in the cluster only, as eci-admission mutates there. */
const profilePolicy = join(repoRoot, 'bench', 'kyverno', 'profile.yaml');
/** The label Kyverno puts on the webhook configurations it manages. */
const managedBy = 'webhook.kyverno.io/managed-by=kyverno';

/** CRDs, namespace, ConfigMap and the bench's policies and profile: once per cluster. */
export async function installKyverno(binary: Binary): Promise<void> {
  const crds = join(await moduleSource(binary), 'config', 'crds');
  // Server-side: some of these CRDs are larger than client-side apply's annotation allows.
  await kubectlOk(['apply', '--server-side', '-R', '-f', crds]);
  await kubectlOk([
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd',
    'clusterpolicies.kyverno.io',
    'policies.kyverno.io',
  ]);
  await namespace(kyvernoNamespace);
  await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(configMap()) });
  await kubectlOk(['apply', '-f', policiesDir, '-f', profilePolicy]);
}

/**
 * Kyverno's configuration, as its Helm chart would write it for this bench: its webhooks skip the
 * namespaces eci-admission's skip (kube-system, and each tool its own).
 */
function configMap(): object {
  const excluded = ['kube-system', kyvernoNamespace, 'eci-admission'];
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'kyverno', namespace: kyvernoNamespace },
    data: {
      webhooks: JSON.stringify({
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excluded }],
        },
      }),
      resourceFilters: `[Event,*,*]${excluded.map((name) => `[*/*,${name},*]`).join('')}`,
    },
  };
}

/**
 * The flags an out-of-cluster admission controller needs, and the Helm chart's defaults where they
 * change what each request costs. Admission reports are off: with no reports controller to
 * aggregate them they would pile up until --maxAdmissionReports, so later rounds would differ.
 */
function kyvernoArgs(port: number): string[] {
  return [
    `--kubeconfig=${adminKubeconfig}`,
    `--serverIP=127.0.0.1:${port}`,
    '--webhookServerHost=127.0.0.1',
    `--webhookServerPort=${port}`,
    '--caSecretName=kyverno-svc.kyverno.svc.kyverno-tls-ca',
    '--tlsSecretName=kyverno-svc.kyverno.svc.kyverno-tls-pair',
    '--omitEvents=PolicyApplied,PolicySkipped',
    '--admissionReports=false',
    // deploy/'s timeout for eci-admission; Kyverno registers the larger of this and the policies'.
    '--webhookTimeout=5',
    // Metrics and controller-runtime's metrics would listen on fixed ports: not needed here.
    '--disableMetrics=true',
    '--controllerRuntimeMetricsAddress=0',
    // It serves only once it leads: with no lease left (stopKyverno deletes it), within a second.
    '--leaderElectionRetryPeriod=1s',
    '--disableLogColor=true',
  ];
}

/** What its Deployment sets and it refuses to start without. */
const kyvernoEnv = {
  KYVERNO_NAMESPACE: kyvernoNamespace,
  KYVERNO_SERVICEACCOUNT_NAME: 'kyverno-admission-controller',
  KYVERNO_DEPLOYMENT: 'kyverno-admission-controller',
  // Its leader-election identity.
  KYVERNO_POD_NAME: 'kyverno-bench',
  INIT_CONFIG: 'kyverno',
  METRICS_CONFIG: 'kyverno-metrics',
};

/** Starts Kyverno; its webhooks come a moment later (untilKyvernoRefuses). */
export function startKyverno(binary: Binary, port: number): Started {
  const started = startDetached('kyverno', binary.path, kyvernoArgs(port), kyvernoEnv);
  addToState({ peer: started });
  return started;
}

/** Waits until Kyverno's webhooks refuse what the bench's policies refuse. */
export async function untilKyvernoRefuses(started: Started, probeNamespace: string): Promise<void> {
  await waitFor('Kyverno to refuse a DaemonSet and a hostNetwork pod', () => refuses(probeNamespace), 180_000, started);
}

/** A dry run of each kind the policies refuse: denied by Kyverno's webhook, not by the API server. */
async function refuses(ns: string): Promise<boolean | string> {
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'probe', namespace: ns },
    spec: {
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'c' }] } },
    },
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'probe', namespace: ns },
    spec: { hostNetwork: true, containers: [{ name: 'c', image: 'c' }] },
  };
  for (const object of [daemonSet, pod]) {
    const result = await kubectlObjects(['create', '--dry-run=server'], object);
    if (!result.stderr.includes('validate.kyverno.svc'))
      return `${object.kind} not refused by a webhook: ${result.stderr.trim() || 'created'}`;
  }
  return true;
}

/** Stops Kyverno and removes what it registered, so that no webhook of it stays in the path. */
export async function stopKyverno(started: Started): Promise<void> {
  await stop(started);
  await kubectlOk([
    'delete',
    'mutatingwebhookconfiguration,validatingwebhookconfiguration',
    '-l',
    managedBy,
    '--ignore-not-found',
  ]);
  // Its leader lease is not released on exit: the next start would wait for it to expire.
  await kubectl(['delete', 'lease', '--all', '-n', kyvernoNamespace]);
}
