// `scan` on what already runs: with the webhooks removed, objects ECI cannot run are created as
// a cluster without eci-admission holds them; the scan reads them through the real API server,
// reports them, writes PolicyReports and replaces them, and says which permission it lacks.
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject, V1ObjectReference } from '@kubernetes/client-node';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { run } from '../../test/helpers/cli.js';
import {
  deployment,
  installPolicyReportCrds,
  kubectl,
  kubectlObjects,
  kubectlOk,
  namespace,
  withoutWebhooks,
} from '../helpers.js';
import { adminKubeconfig } from '../paths.js';

const apps = 'scan-apps';
const emptied = 'scan-emptied';

interface Report {
  kind: string;
  metadata: { name: string; namespace?: string };
  results?: Array<{ rule: string; result: string; resources?: V1ObjectReference[] }>;
}

const daemonSet = {
  apiVersion: 'apps/v1',
  kind: 'DaemonSet',
  metadata: { name: 'agents', namespace: apps },
  spec: {
    selector: { matchLabels: { app: 'agents' } },
    template: { metadata: { labels: { app: 'agents' } }, spec: { containers: [{ name: 'agent', image: 'fluentd' }] } },
  },
} as KubernetesObject;

const scan = (args: string[], kubeconfig = adminKubeconfig) =>
  run(['scan', ...args], { env: { KUBECONFIG: kubeconfig } });

function failed(report: Report | undefined): string[] {
  return (report?.results ?? [])
    .filter((result) => result.result === 'fail')
    .flatMap((result) => (result.resources ?? []).map((resource) => `${resource.kind}/${resource.name}`));
}

async function storedReport(ns: string): Promise<Report | undefined> {
  const got = await kubectl(['get', 'policyreport', 'eci-admission', '-n', ns, '-o', 'json']);
  return got.code === 0 ? (JSON.parse(got.stdout) as Report) : undefined;
}

t.before(async () => {
  await installPolicyReportCrds();
  await namespace(apps);
  await namespace(emptied);
});

t.test('with the webhooks removed, what ECI cannot run is created and scan finds it', async (t) => {
  await withoutWebhooks(t);
  const logs = deployment('logs', apps, [{ name: 'logs', hostPath: { path: '/var/log' } }]);
  const created = await kubectlObjects(
    ['apply'],
    daemonSet,
    logs,
    deployment('clean', apps),
    deployment('web', emptied),
  );
  t.equal(created.code, 0, created.stderr);

  t.test(
    '--output policyreport: fail results name the DaemonSet and the hostPath Deployment, none the clean one; exit 1',
    async (t) => {
      const scanned = await scan(['-n', apps, '--output', 'policyreport']);
      t.equal(scanned.code, 1, scanned.stderr);
      const reports = parseAllDocuments(scanned.stdout).map((document) => document.toJS() as Report);
      const report = reports.find(
        (candidate) => candidate.kind === 'PolicyReport' && candidate.metadata.namespace === apps,
      );
      t.same([...new Set(failed(report))].sort(), ['DaemonSet/agents', 'Deployment/logs']);
      t.ok(
        report?.results?.some((result) => result.result === 'pass' && result.resources?.[0]?.name === 'clean'),
        'the clean Deployment passes',
      );
      t.notOk(
        report?.results?.some((result) => result.result !== 'pass' && result.resources?.[0]?.name === 'clean'),
        'and has nothing else',
      );
      t.notOk(
        JSON.stringify(reports).includes('ReplicaSet'),
        "the Deployments' ReplicaSets are judged through their Deployments",
      );
    },
  );

  t.test('text: a line per namespace, the findings, a total', async (t) => {
    const scanned = await scan(['-n', apps]);
    t.equal(scanned.code, 1, scanned.stderr);
    t.match(scanned.stdout, `${apps}: 3 objects, 2 would be denied`);
    t.match(scanned.stdout, /^DaemonSet\/scan-apps\/agents error daemonset: /m);
    t.match(
      scanned.stdout,
      /^Deployment\/scan-apps\/logs error host-path: .*spec\.template\.spec\.volumes\[0\]\.hostPath/m,
    );
    t.match(scanned.stdout, /^3 objects in 1 namespace: 1 can run on ECI, 2 would be denied/m);
  });

  t.test('--apply-reports: the reports are listed; a second run after a deletion replaces and removes', async (t) => {
    const first = await scan(['-A', '--apply-reports', '--output', 'json']);
    t.equal(first.code, 1, first.stderr);
    const listed = await kubectlOk(['get', 'policyreports', '-A']);
    for (const ns of [apps, emptied])
      t.match(listed, new RegExp(`^${ns}\\s+eci-admission\\s`, 'm'), `kubectl get policyreports -A lists ${ns}'s`);
    t.same([...new Set(failed(await storedReport(apps)))].sort(), ['DaemonSet/agents', 'Deployment/logs']);

    await kubectlOk(['delete', 'daemonset/agents', '-n', apps, '--wait']);
    await kubectlOk(['delete', 'deployment/web', '-n', emptied, '--wait']);
    const second = await scan(['-A', '--apply-reports']);
    t.equal(second.code, 1, second.stderr);
    t.match(second.stderr, /policy reports: \d+ applied, [1-9]\d* stale deleted/);
    t.same(failed(await storedReport(apps)), ['Deployment/logs'], "the DaemonSet's result is gone");
    t.equal(await storedReport(emptied), undefined, 'the report of a namespace with nothing left is deleted');
  });
});

t.test('a ServiceAccount without list rights: exit 2 and one line naming the verb and resource', async (t) => {
  // It may read the profile and the namespaces, as the scanner's ClusterRole grants, but list nothing.
  const rule = { apiGroups: [''], resources: ['configmaps', 'namespaces'], verbs: ['get'] };
  const applied = await kubectlObjects(
    ['apply'],
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reader', namespace: apps } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'scan-e2e-context' },
      rules: [rule],
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: 'scan-e2e-context' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'scan-e2e-context' },
      subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: apps }],
    } as KubernetesObject,
  );
  t.equal(applied.code, 0, applied.stderr);
  t.teardown(() =>
    kubectlOk(['delete', 'clusterrolebinding/scan-e2e-context', 'clusterrole/scan-e2e-context']).then(() => undefined),
  );
  const token = (await kubectlOk(['create', 'token', 'reader', '-n', apps])).trim();
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'scan-')), 'kubeconfig');
  copyFileSync(adminKubeconfig, kubeconfig);
  await kubectlOk(['config', 'set-credentials', 'reader', `--token=${token}`], { kubeconfig });
  await kubectlOk(['config', 'set-context', '--current', '--user=reader'], { kubeconfig });

  const scanned = await scan(['-n', apps], kubeconfig);
  t.equal(scanned.code, 2);
  t.equal(scanned.stdout, '');
  t.match(
    scanned.stderr,
    /^eci-admission scan: cannot list pods in namespace scan-apps: 403 .*cannot list resource "pods"/,
  );
  t.equal(scanned.stderr.trimEnd().split('\n').length, 1, 'one line');
});
