// `serve --background-scan`: a real server on loopback TLS scanning the list stand-in
// (test/helpers/list-api.ts) as it would scan a cluster: reports written, pages of 100, a refused
// list one warning line and a failed pass while the webhook keeps answering, the metrics of the
// last pass, one scanning replica of two (the holder of the Lease), and nothing asked of the API
// once the server is closed. And the scan loop itself: a pass only while leading.
import { setTimeout as sleep } from 'node:timers/promises';
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { backgroundScanLease } from '../lib/facts.js';
import { startBackgroundScan } from '../lib/scan/background.js';
import type { ClusterReader } from '../lib/scan/scan.js';
import { scanTargets } from '../lib/scan/targets.js';
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
  return { api, ...(await replica(t, api, intervalMs)) };
}

/** One more `serve --background-scan` replica on the API. */
async function replica(t: Test, api: ListApi, intervalMs = 60_000) {
  const cluster = new KubeConfig();
  cluster.loadFromString(api.kubeConfigYaml());
  const log = logSink();
  const server = await startServer(t, { backgroundScan: { cluster, intervalMs }, logger: log.logger });
  return { server, log };
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

const leases = '/apis/coordination.k8s.io/v1';
const leader = 'eci_admission_background_scan_leader';
const passesOk = 'eci_admission_background_scan_passes_total{result="ok"}';

/** The stored Lease's holder. */
function holder(api: ListApi): string | undefined {
  const [lease] = api.stored(leases, 'leases') as Array<KubernetesObject & { spec?: { holderIdentity?: string } }>;
  return lease?.spec?.holderIdentity;
}

/** Who the replica took the Lease as, from its log; undefined while it has not. */
function leadingAs(log: ReturnType<typeof logSink>): string | undefined {
  return log.lines
    .map((line) => JSON.parse(line) as { msg: string; identity?: string })
    .find((line) => line.msg.startsWith('leader election: leading'))?.identity;
}

t.test('of two replicas only the holder of the Lease scans; when it shuts down, the other takes over', async (t) => {
  const {
    api,
    server: first,
    log: firstLog,
  } = await scanningServer(t, (api) => api.add(apps, 'deployments', hostPathed));
  await eventually(
    () => metric(first, passesOk),
    (passes) => passes === 1,
    'the first pass',
  );
  const { server: second, log: secondLog } = await replica(t, api);
  // Past a retry of the election and a look of the scan: the second tried, and would be scanning.
  await sleep(3_500);
  t.match(api.stored(leases, 'leases'), [{ metadata: { namespace: 'eci-admission', name: backgroundScanLease } }]);
  t.equal(holder(api), leadingAs(firstLog), 'the first holds the Lease');
  t.equal(await metric(first, leader), 1);
  t.equal(await metric(second, leader), 0, 'the second follows');
  t.equal(await metric(second, passesOk), 0, 'and runs no pass');
  t.equal(leadingAs(secondLog), undefined);
  // SIGTERM: the Lease is released at once, while the first still answers for its shutdown delay.
  first.beginShutdown();
  await eventually(
    async () => holder(api),
    (holds) => holds !== leadingAs(firstLog),
    'the Lease released at the shutdown',
  );
  t.equal((await first.get('/readyz')).status, 503, 'released while the first still answers');
  await eventually(
    () => metric(second, passesOk),
    (passes) => passes === 1,
    'a pass of the second',
  );
  t.equal(await metric(second, leader), 1);
  t.equal(holder(api), leadingAs(secondLog), 'the second holds it now');
});

t.test('the scan runs passes only while leading, and one that loses the lead stops at its next page', async (t) => {
  let leading = false;
  const pages: boolean[] = [];
  const warned: string[] = [];
  const reader: ClusterReader = {
    list: async () => {
      pages.push(scan.status().leader);
      if (pages.length === 3) leading = false;
      return { items: [], continue: 'more' };
    },
    configMap: async () => undefined,
    namespaceLabels: async () => new Map(),
  };
  const scan = startBackgroundScan({
    intervalMs: 60_000,
    pageDelayMs: 1,
    pass: async (throttled) => {
      const paged = throttled(reader);
      for (;;) await paged.list(scanTargets[0]!, { limit: 100 });
    },
    ready: () => true,
    leading: () => leading,
    log: { info: () => {}, warn: (_fields, message) => warned.push(message) },
    now: Date.now,
  });
  t.teardown(() => scan.stop());
  await sleep(1_500);
  t.same(pages, [], 'no page while another replica leads');
  t.notOk(scan.status().leader);
  leading = true;
  await eventually(
    async () => pages.length,
    (count) => count === 3,
    'three pages',
  );
  await sleep(100);
  t.same(pages, [true, true, true], 'leading through the pass, and no page after it lost the lead');
  t.match(scan.status(), { leader: false, passes: 0, failures: 0 });
  t.same(warned, [], 'not a failure: the other replica scans');
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
