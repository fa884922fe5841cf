// `serve --background-scan`: a real server on loopback TLS scanning the list stand-in
// (test/helpers/list-api.ts) as it would scan a cluster: reports written, pages of 100, a refused
// list one warning line and a failed pass while the webhook keeps answering, the metrics of the
// last pass, and nothing asked of the API once the server is closed.
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { ListApi } from './helpers/list-api.js';
import { reviewFor } from './helpers/objects.js';
import { eventually, logSink, responseOf, startServer, type TestServer } from './helpers/server.js';

const apps = '/apis/apps/v1';
const reportsPath = '/apis/wgpolicyk8s.io/v1alpha2';

function deployment(name: string, volumes: unknown[] = []): KubernetesObject {
  return {
    metadata: { name, namespace: 'shop', uid: `uid-${name}` },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx' }], volumes },
      },
    },
  } as KubernetesObject;
}

const hostPathed = deployment('logs', [{ name: 'logs', hostPath: { path: '/var/log' } }]);

async function scanningServer(t: Test, fill: (api: ListApi) => void, intervalMs = 60_000) {
  const api = await ListApi.start();
  t.teardown(() => api.close());
  api.namespace('shop');
  fill(api);
  const cluster = new KubeConfig();
  cluster.loadFromString(api.kubeConfigYaml());
  const log = logSink();
  const server = await startServer(t, { backgroundScan: { cluster, intervalMs }, logger: log.logger });
  return { api, server, log };
}

/** The value of one series on /metrics, `name{labels} value`. */
async function metric(server: TestServer, series: string): Promise<number | undefined> {
  const line = (await server.text('/metrics')).split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('a pass writes the reports, and the metrics describe it', async (t) => {
  const { api, server } = await scanningServer(t, (api) => {
    api.add(apps, 'deployments', hostPathed);
    api.add(apps, 'deployments', deployment('web'));
  });
  await eventually(
    () => metric(server, 'eci_admission_background_scan_passes_total{result="ok"}'),
    (passes) => passes === 1,
    'the first pass',
  );
  const [report] = api.stored(reportsPath, 'policyreports') as Array<
    KubernetesObject & { results: Array<{ result: string; resources: Array<{ name: string }> }> }
  >;
  t.equal(report?.metadata?.namespace, 'shop');
  t.same(
    report?.results.filter((result) => result.result === 'fail').map((result) => result.resources[0]?.name),
    ['logs'],
    'the hostPath Deployment fails, the clean one does not',
  );
  t.equal(await metric(server, 'eci_admission_background_scan_objects'), 2);
  t.ok((await metric(server, 'eci_admission_background_scan_findings{severity="deny"}'))! >= 1);
  t.ok((await metric(server, 'eci_admission_background_scan_last_duration_seconds'))! > 0);
  const ended = (await metric(server, 'eci_admission_background_scan_last_end_timestamp_seconds'))!;
  t.ok(Math.abs(ended - Date.now() / 1000) < 60, `ended ${ended}: a timestamp of this run`);
  t.equal(await metric(server, 'eci_admission_background_scan_passes_total{result="error"}'), 0);
});

t.test('a pass lists pages of 100, one request at a time', async (t) => {
  const { api, server } = await scanningServer(t, (api) => {
    for (let i = 0; i < 250; i++) api.add(apps, 'deployments', deployment(`web-${i}`));
  });
  await eventually(
    () => metric(server, 'eci_admission_background_scan_objects'),
    (objects) => objects === 250,
    'the first pass',
  );
  t.same(
    api.requests.filter((request) => request.startsWith('GET /apis/apps/v1/deployments')),
    [
      'GET /apis/apps/v1/deployments?limit=100',
      'GET /apis/apps/v1/deployments?limit=100&continue=page-2',
      'GET /apis/apps/v1/deployments?limit=100&continue=page-3',
    ],
  );
  t.equal(api.largestPage, 100);
});

t.test('a refused list fails the pass on one line; the webhook keeps answering; the next pass retries', async (t) => {
  const { api, server, log } = await scanningServer(
    t,
    (api) => {
      api.add(apps, 'deployments', hostPathed);
      api.forbid('deployments');
    },
    1_000,
  );
  await eventually(
    () => metric(server, 'eci_admission_background_scan_passes_total{result="error"}'),
    (failures) => (failures ?? 0) >= 2,
    'two failed passes',
  );
  const failed = log.lines
    .map((line) => JSON.parse(line) as { msg: string })
    .filter((line) => line.msg.startsWith('background scan failed'));
  t.match(failed[0]?.msg, /^background scan failed: cannot list deployments\.apps in every namespace: 403 .*forbidden/);
  t.notOk(failed[0]?.msg.includes('\n'), 'one line');
  t.same(api.stored(reportsPath, 'policyreports'), [], 'no report from a pass that did not finish');
  t.equal(await metric(server, 'eci_admission_background_scan_last_end_timestamp_seconds'), 0, 'no pass completed');
  const answer = await server.post(
    '/validate',
    reviewFor({ apiVersion: 'apps/v1', kind: 'Deployment', ...hostPathed }),
  );
  t.equal(answer.status, 200);
  t.equal(responseOf(answer).allowed, false, 'the webhook still judges');
});

t.test('without --background-scan there is no scan and no scan metric', async (t) => {
  const server = await startServer(t);
  t.notMatch(await server.text('/metrics'), 'background_scan');
});

t.test('a closed server asks nothing more of the API', async (t) => {
  const api = await ListApi.start();
  t.teardown(() => api.close());
  api.namespace('shop');
  const cluster = new KubeConfig();
  cluster.loadFromString(api.kubeConfigYaml());
  const { serve } = await import('../lib/server/serve.js');
  const running = await serve({
    port: 0,
    host: '127.0.0.1',
    certDir: t.testdir(),
    clusterMode: 'serverless',
    logger: false,
    backgroundScan: { cluster, intervalMs: 1_000 },
  });
  await eventually(
    async () => api.requests.filter((request) => request.startsWith('GET /api/v1/namespaces?')).length,
    (passes) => passes >= 2,
    'two passes',
  );
  await running.app.close();
  const after = api.requests.length;
  await new Promise((resolve) => setTimeout(resolve, 2_500));
  t.equal(api.requests.length, after, 'no request after close');
});
