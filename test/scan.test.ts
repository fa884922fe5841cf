// `eci-admission scan` as a user runs it, against the list stand-in (test/helpers/list-api.ts):
// pages followed by their continue tokens, owned objects left to their owners, the cluster's
// profile and namespace labels used, the exit codes, and one-line failures.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { run } from './helpers/cli.js';
import { fillLargeCluster, type LargeCluster } from './helpers/large-cluster.js';
import { ListApi } from './helpers/list-api.js';

const apps = '/apis/apps/v1';

function deployment(name: string, namespace: string, spec: Record<string, unknown> = {}): KubernetesObject {
  return {
    metadata: { name, namespace, uid: `uid-${name}` },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
      },
    },
  } as KubernetesObject;
}

const hostPath = { volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] };

async function cluster(
  t: Test,
  fill: (api: ListApi) => void = () => {},
): Promise<{ api: ListApi; kubeconfig: string }> {
  const api = await ListApi.start();
  t.teardown(() => api.close());
  api.namespace('shop');
  fill(api);
  const kubeconfig = join(mkdtempSync(join(tmpdir(), 'scan-test-')), 'kubeconfig');
  writeFileSync(kubeconfig, api.kubeConfigYaml());
  return { api, kubeconfig };
}

const scan = (kubeconfig: string, ...args: string[]) => run(['scan', ...args], { env: { KUBECONFIG: kubeconfig } });

interface JsonReport {
  summary: { objects: number; denied: number };
  objects: Array<{ kind: string; name: string; verdict: string; file: string }>;
}

t.test('pages are followed by their continue tokens until the last, and every object is judged', async (t) => {
  const { api, kubeconfig } = await cluster(t, (api) => {
    for (let i = 0; i < 7; i++) api.add(apps, 'deployments', deployment(`web-${i}`, 'shop'));
  });
  const scanned = await scan(kubeconfig, '-A', '--page-size', '3', '--output', 'json');
  t.equal(scanned.code, 0, scanned.stderr);
  const report = JSON.parse(scanned.stdout) as JsonReport;
  t.same(
    report.objects.map((object) => object.name),
    [0, 1, 2, 3, 4, 5, 6].map((i) => `web-${i}`),
  );
  t.same(
    api.requests.filter((request) => request.includes('/deployments')),
    [
      'GET /apis/apps/v1/deployments?limit=3',
      'GET /apis/apps/v1/deployments?limit=3&continue=page-2',
      'GET /apis/apps/v1/deployments?limit=3&continue=page-3',
    ],
  );
  t.equal(api.largestPage, 3, 'no answer held more than a page');
  t.equal(
    report.objects[0]?.file,
    '/apis/apps/v1/namespaces/shop/deployments/web-0',
    'named by where it lives in the API',
  );
});

t.test(
  'a denial exits 1; what a scanned controller owns is judged through its owner; an absent CRD is no error',
  async (t) => {
    const { api, kubeconfig } = await cluster(t, (api) => {
      api.add(apps, 'deployments', deployment('logs', 'shop', hostPath));
      const owned = {
        ...deployment('logs-5d8f', 'shop', hostPath),
        metadata: {
          name: 'logs-5d8f',
          namespace: 'shop',
          ownerReferences: [
            { apiVersion: 'apps/v1', kind: 'Deployment', name: 'logs', uid: 'uid-logs', controller: true },
          ],
        },
      };
      api.add(apps, 'replicasets', owned);
      // Owned, but by a controller the scan does not read (an operator's custom resource): judged itself.
      const operated = {
        metadata: {
          name: 'db-0',
          namespace: 'shop',
          ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'Database', name: 'db', uid: 'u', controller: true }],
        },
        spec: { containers: [{ name: 'db', image: 'postgres' }] },
      };
      api.add('/api/v1', 'pods', operated as KubernetesObject);
    });
    const scanned = await scan(kubeconfig, '-A', '--output', 'json');
    t.equal(scanned.code, 1, scanned.stderr);
    const report = JSON.parse(scanned.stdout) as JsonReport;
    t.same(
      report.objects.map((object) => `${object.kind}/${object.name}:${object.verdict}`),
      ['Pod/db-0:admitted', 'Deployment/logs:denied'],
    );
    t.ok(
      api.requests.some((request) =>
        request.startsWith('GET /apis/scheduling.alibabacloud.com/v1alpha1/resourcepolicies'),
      ),
      'ResourcePolicies asked for',
    );
  },
);

t.test("the cluster's eci-profile and namespace labels decide, as in the webhook", async (t) => {
  const { kubeconfig } = await cluster(t, (api) => {
    api.namespace('batch', { 'eci-admission/mode': 'warn' });
    api.add(apps, 'deployments', deployment('logs', 'batch', hostPath));
  });
  const scanned = await scan(kubeconfig, '-A');
  t.equal(scanned.code, 0, 'a namespace in warn mode denies nothing');
  t.match(scanned.stdout, /^Deployment\/batch\/logs warning host-path: /m);
  t.match(scanned.stdout, /^batch: 1 object, 0 would be denied, 1 warning$/m);
  t.match(
    scanned.stdout,
    /^1 object in 1 namespace: 1 can run on ECI, 0 would be denied, 0 not sent to eci-admission; 1 warning; 0 errors$/m,
  );
});

t.test('a profile the webhook would refuse is an error of the scan: exit 2', async (t) => {
  const { kubeconfig } = await cluster(t, (api) => {
    api.add('/api/v1', 'configmaps', {
      metadata: { name: 'eci-profile', namespace: 'kube-system' },
      data: { selectors: '[not json' },
    } as KubernetesObject);
    api.add(apps, 'deployments', deployment('web', 'shop'));
  });
  const scanned = await scan(kubeconfig, '-A');
  t.equal(scanned.code, 2);
  t.match(
    scanned.stdout,
    /^kube-system\/eci-profile error cluster kube-system\/eci-profile refused, the embedded profile used: /m,
  );
});

t.test("--namespace scans one namespace; without it, the context's namespace", async (t) => {
  const { api, kubeconfig } = await cluster(t, (api) => api.add(apps, 'deployments', deployment('web', 'shop')));
  writeFileSync(kubeconfig, api.kubeConfigYaml('fake', 'shop'));
  const scanned = await scan(kubeconfig, '--output', 'json');
  t.equal(scanned.code, 0, scanned.stderr);
  t.equal((JSON.parse(scanned.stdout) as JsonReport).summary.objects, 1);
  t.ok(api.requests.includes('GET /apis/apps/v1/namespaces/shop/deployments?limit=500'));
  t.ok(api.requests.includes('GET /api/v1/namespaces/shop'), 'the one namespace read, not every one');
});

t.test('failures are one line and exit 2', async (t) => {
  const { api, kubeconfig } = await cluster(t, (api) => api.forbid('pods'));
  const oneLine = (t: Test, result: { code: number | null; stdout: string; stderr: string }, pattern: RegExp) => {
    t.equal(result.code, 2);
    t.equal(result.stdout, '');
    t.match(result.stderr, pattern);
    t.equal(result.stderr.trimEnd().split('\n').length, 1, result.stderr);
  };
  oneLine(
    t,
    await scan(kubeconfig, '-A'),
    /^eci-admission scan: cannot list pods in every namespace: 403 pods is forbidden: User "fake" cannot list resource "pods"/,
  );
  oneLine(
    t,
    await scan(kubeconfig, '-A', '--context', 'other'),
    /^eci-admission scan: --context other: no such context \(the kubeconfig has fake\)\n$/,
  );
  oneLine(t, await scan(kubeconfig, '-n', 'a', '-A'), /--namespace and --all-namespaces exclude each other/);
  oneLine(t, await scan(kubeconfig, '-A', '-l', 'a=b', '--apply-reports'), /--apply-reports with --selector/);
  oneLine(t, await scan(kubeconfig, '-A', '--page-size', '0'), /--page-size: not a positive whole number: 0/);
  oneLine(t, await scan(kubeconfig, '-A', '--output', 'junit'), /--output/);
  const url = api.url;
  await api.close();
  oneLine(
    t,
    await scan(kubeconfig, '-A'),
    new RegExp(`^eci-admission scan: cannot reach the cluster at ${url}: .*ECONNREFUSED`),
  );
});

t.test('--apply-reports writes a report per namespace and deletes those of namespaces with nothing left', async (t) => {
  const { api, kubeconfig } = await cluster(t, (api) => {
    api.namespace('old');
    api.add('/apis/wgpolicyk8s.io/v1alpha2', 'policyreports', {
      metadata: {
        name: 'eci-admission',
        namespace: 'old',
        labels: { 'app.kubernetes.io/managed-by': 'eci-admission' },
      },
    });
    api.add('/apis/wgpolicyk8s.io/v1alpha2', 'policyreports', {
      metadata: { name: 'kyverno-report', namespace: 'old' },
    });
    api.add(apps, 'deployments', deployment('logs', 'shop', hostPath));
  });
  const scanned = await scan(kubeconfig, '-A', '--apply-reports');
  t.equal(scanned.code, 1, scanned.stderr);
  t.match(scanned.stderr, 'policy reports: 1 applied, 1 stale deleted');
  const reports = api.stored('/apis/wgpolicyk8s.io/v1alpha2', 'policyreports');
  t.same(
    reports.map((report) => `${report.metadata?.namespace}/${report.metadata?.name}`).sort(),
    ['old/kyverno-report', 'shop/eci-admission'],
    "another tool's report untouched",
  );
  t.ok(
    api.requests.some((request) =>
      request.startsWith(
        'PATCH /apis/wgpolicyk8s.io/v1alpha2/namespaces/shop/policyreports/eci-admission?fieldManager=eci-admission&force=true',
      ),
    ),
  );
});

t.test('a cluster of 5,000 objects is read a page at a time and every object is accounted for', async (t) => {
  let large: LargeCluster | undefined;
  const { api, kubeconfig } = await cluster(t, (api) => {
    large = fillLargeCluster(api, 5000);
  });
  const scanned = await scan(kubeconfig, '-A', '--page-size', '250', '--output', 'json');
  t.equal(scanned.code, 1, scanned.stderr);
  const report = JSON.parse(scanned.stdout) as JsonReport;
  t.equal(large?.objects, 5000);
  t.equal(
    report.summary.objects,
    large?.judged,
    'Deployments and bare Pods judged; ReplicaSets and their Pods through them',
  );
  t.equal(report.summary.denied, large?.denied);
  t.equal(report.objects.filter((object) => object.verdict === 'denied').length, large?.denied);
  const podPages = api.requests.filter((request) => request.startsWith('GET /api/v1/pods?'));
  t.equal(podPages.length, Math.ceil(api.stored('/api/v1', 'pods').length / 250), 'every page of pods asked for once');
  t.equal(api.largestPage, 250, 'no answer held more than a page');
});
