// The webhook on a bad day, under a steady load of pod creations through the API server into an
// ECI namespace whose pods an eci-profile selector matches: every pod created must carry the
// mutation's record, or be counted as missed. With failurePolicy Ignore on /mutate, a review that
// does not reach a replica admits the pod unrouted; these tests count how often that happens while
// the replicas roll, die or freeze, with two replicas behind the Service.
import { execFile } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import {
  applyProfile,
  deleteProfile,
  kubectl,
  kubectlObjects,
  kubectlOk,
  namespace,
  pod,
  profileConfigMap,
  webhookConfigurations,
  webhookProfile,
} from '../helpers.js';
import { publishedEndpoints } from '../endpoint-slice.js';
import { logDir, repoRoot, webhookCertDir } from '../paths.js';
import { startPodLoad, type LoadResult } from '../pod-load.js';
import { restart, waitFor } from '../processes.js';
import { addToState, requireState, type WebhookState } from '../state.js';
import {
  mountWebhookSecret,
  runningReplicas,
  startReplica,
  stopReplica,
  webhookArgs,
  webhookCertificates,
} from '../webhook.js';

const apiserverLog = join(logDir, 'kube-apiserver.log');

/** A namespace of its own per run: deleting the last run's thousands of pods takes a while. */
const ns = `e2e-faults-${Date.now().toString(36)}`;
/**
 * Above the floor of 20 creations a second: at 25/s a rollout without the shutdown delay missed
 * none here (the API server reuses its pooled connections and retries a request that a clean
 * close left unsent); at 100/s its bursts dial new connections, which reach the stopping replica
 * while its endpoint is still listed, and a rollout without the delay missed 7 of 3,468.
 */
const perSecond = 100;

/** What makes a pod of the namespace mutated: the profile's effect, and the routing of eci=true. */
const selectors = [
  {
    name: 'faults',
    namespaceSelector: { matchLabels: { team: 'faults' } },
    effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' } },
  },
];

t.before(async () => {
  await namespace(ns, { 'alibabacloud.com/eci': 'true', team: 'faults' });
  await applyProfile(selectors);
});

/** Two replicas for each test, as deploy/ runs; the count e2e:up started is restored at the end. */
async function twoReplicas(): Promise<void> {
  while (runningReplicas().length < 2) await startReplica(webhookArgs());
  // Until every replica, a new one too, serves the profile.
  await applyProfile(selectors);
}
const initialReplicas = runningReplicas().length;
t.teardown(async () => {
  for (const extra of runningReplicas().slice(initialReplicas)) await stopReplica(extra, 30_000);
  await deleteProfile();
  await kubectl(['delete', '--raw', `/api/v1/namespaces/${ns}/pods`]);
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
});

/** What a load saw, for the log of the run (bench/README.md quotes these lines). */
function report(t: Test, what: string, result: LoadResult): void {
  const worst = Math.max(...result.creations.map((c) => c.ms));
  t.comment(
    `${what}: ${result.creations.length} pods offered at ${perSecond}/s, ${result.missed.length} missed the mutation, ${result.failed.length} failed, slowest ${Math.round(worst)} ms`,
  );
  for (const failed of result.failed.slice(0, 5))
    t.comment(`  failed at ${failed.at} ms: ${failed.status} ${failed.error}`);
}

/** The load really ran: at least 90 % of what the time offered. */
function offeredAll(t: Test, result: LoadResult, seconds: number): void {
  t.ok(result.creations.length >= perSecond * seconds * 0.9, `${result.creations.length} pods were offered`);
}

t.test('a rolling restart of 2 replicas: no pod misses the mutation, no creation fails', async (t) => {
  await twoReplicas();
  const before = runningReplicas().map((replica) => replica.pid);
  const load = startPodLoad({ namespace: ns, perSecond, maxSeconds: 120 });
  const started = Date.now();
  await sleep(2_000);
  const rolled = await promisify(execFile)(process.execPath, [join(repoRoot, 'dist', 'e2e', 'rollout.js')]);
  t.comment(rolled.stdout.trim());
  await sleep(2_000);
  const result = await load.stop();
  report(t, 'rolling restart', result);
  offeredAll(t, result, (Date.now() - started) / 1000);
  const after = runningReplicas().map((replica) => replica.pid);
  t.equal(after.length, 2, 'two replicas run after the rollout');
  t.notOk(
    after.some((pid) => before.includes(pid)),
    'every replica is new',
  );
  t.equal(result.missed.length, 0, 'no pod missed the mutation');
  t.equal(result.failed.length, 0, 'no creation failed');
});

/**
 * Two replicas under a minute of load, and 3 s into it the signal sent to the first: the replica,
 * the load, when it started (performance.now()) and when, counted from that, the signal went.
 */
async function signalUnderLoad(signal: NodeJS.Signals) {
  await twoReplicas();
  const [replica] = runningReplicas();
  const load = startPodLoad({ namespace: ns, perSecond, maxSeconds: 60 });
  const started = performance.now();
  await sleep(3_000);
  process.kill(replica!.pid, signal);
  return { replica: replica!, load, started, signalledAt: performance.now() - started };
}

t.test('SIGKILL of one of 2 replicas: the missed are few, and none once its endpoint is gone', async (t) => {
  const { replica: victim, load, started, signalledAt: killedAt } = await signalUnderLoad('SIGKILL');
  await waitFor(
    'the killed replica to leave the EndpointSlice',
    async () => !(await publishedEndpoints()).some((endpoint) => endpoint.address === victim.address),
    30_000,
  );
  const goneAt = performance.now() - started;
  await sleep(5_000);
  const result = await load.stop();
  report(t, 'SIGKILL of a replica', result);
  t.comment(`killed at ${Math.round(killedAt)} ms, out of the EndpointSlice at ${Math.round(goneAt)} ms`);
  offeredAll(t, result, (performance.now() - started) / 1000);
  // Reviews on the dead replica's connections, and those dialled to it before its endpoint went:
  // bounded by what the load offers from the kill until the API server has seen the slice change.
  const bound = Math.ceil(perSecond * ((goneAt - killedAt) / 1000 + 1));
  t.ok(result.missed.length <= bound, `${result.missed.length} missed, at most ${bound}`);
  // The API server's informer has the new slice within a moment of its write.
  const afterGone = result.missed.filter((creation) => creation.at > goneAt + 1_000);
  t.equal(afterGone.length, 0, 'none missed once the endpoint is gone');
  t.equal(result.failed.length, 0, 'no creation failed (failurePolicy Ignore)');
  await stopReplica(victim!);
});

/**
 * A control-plane process restarted under the load: the replicas stay up and keep answering the
 * API server whenever it asks, so no pod it creates misses the mutation (creations fail only while
 * the API server cannot store them); their watches resume, and a change of the eci-profile made
 * after the restart is served by every replica within 10 s.
 */
async function restartUnderLoad(t: Test, component: 'apiserver' | 'etcd'): Promise<void> {
  await twoReplicas();
  const pids = runningReplicas().map((replica) => replica.pid);
  const load = startPodLoad({ namespace: ns, perSecond, maxSeconds: 120 });
  await sleep(2_000);
  const before = requireState()[component]!;
  addToState({ [component]: { ...before, ...(await restart(before)) } });
  await waitFor('kube-apiserver /readyz', async () => (await kubectl(['get', '--raw', '/readyz'])).code === 0, 120_000);
  await sleep(2_000);
  const result = await load.stop();
  report(t, `${component} restarted`, result);
  t.same(
    runningReplicas().map((replica) => replica.pid),
    pids,
    'the replicas stayed up',
  );
  t.equal(result.missed.length, 0, 'no pod the API server created missed the mutation');
  t.ok(result.creations.length - result.failed.length > perSecond, 'pods were created before and after');

  const changed = [{ ...selectors[0]!, effect: { labels: { restarted: `${component}-${Date.now().toString(36)}` } } }];
  const applied = await kubectlObjects(
    ['apply', '-o', 'jsonpath={.metadata.resourceVersion}'],
    profileConfigMap(changed),
  );
  t.equal(applied.code, 0, applied.stderr);
  const changedAt = Date.now();
  const version = `eci-profile@${applied.stdout.trim()}`;
  await waitFor(
    'every replica to serve the changed eci-profile',
    async () =>
      (await Promise.all(runningReplicas().map((replica) => webhookProfile(replica)))).every((p) =>
        p.endsWith(version),
      ),
    10_000,
  );
  t.comment(
    `${component} restarted: the changed eci-profile served by every replica ${Date.now() - changedAt} ms after it was applied`,
  );
  const created = JSON.parse(
    (await kubectlObjects(['create', '--dry-run=server', '-o', 'json'], pod('after-restart', ns))).stdout,
  ) as { metadata: { labels?: Record<string, string> } };
  t.equal(created.metadata.labels?.restarted, changed[0]!.effect.labels.restarted, 'a new pod gets the change');
  await applyProfile(selectors);
}

t.test('kube-apiserver restarted with the same flags: the webhook stays up and its watches resume', (t) =>
  restartUnderLoad(t, 'apiserver'),
);

t.test('etcd restarted: the webhook stays up and its watches resume', (t) => restartUnderLoad(t, 'etcd'));

/** The timeoutSeconds of eci-admission's webhooks, as deploy/ sets them (one value for all). */
async function webhookTimeoutSeconds(): Promise<number> {
  const configurations = JSON.parse(
    await kubectlOk(['get', ...webhookConfigurations.map((kind) => `${kind}/eci-admission`), '-o', 'json']),
  ) as { items: Array<{ webhooks: Array<{ timeoutSeconds: number }> }> };
  const timeouts = new Set(configurations.items.flatMap((c) => c.webhooks.map((w) => w.timeoutSeconds)));
  if (timeouts.size !== 1) throw new Error(`the webhooks have several timeouts: ${[...timeouts].join(', ')}`);
  return [...timeouts][0]!;
}

t.test('one of 2 replicas frozen (SIGSTOP): what a pod creation costs, and the missed bounded', async (t) => {
  const timeoutMs = (await webhookTimeoutSeconds()) * 1000;
  const { replica: frozen, load, started, signalledAt: frozenAt } = await signalUnderLoad('SIGSTOP');
  t.teardown(() => void process.kill(frozen.pid, 'SIGCONT'));
  await waitFor(
    'the frozen replica to be not ready in the EndpointSlice',
    async () => (await publishedEndpoints()).some((e) => e.address === frozen.address && !e.ready),
    30_000,
  );
  const notReadyAt = performance.now() - started;
  // Past the timeout, so that every review sent to it has been given up on.
  await sleep(timeoutMs + 3_000);
  const result = await load.stop();
  process.kill(frozen.pid, 'SIGCONT');
  report(t, 'a replica frozen', result);
  const during = result.creations.filter((c) => c.at >= frozenAt);
  const slow = during.filter((c) => c.ms > 1_000);
  const ms = during.map((c) => c.ms).sort((a, b) => a - b);
  t.comment(
    `frozen at ${Math.round(frozenAt)} ms, not ready at ${Math.round(notReadyAt)} ms; after the freeze: ${during.length} pods, ${slow.length} over 1 s, p50 ${Math.round(ms[Math.floor(ms.length / 2)]!)} ms, max ${Math.round(ms.at(-1)!)} ms`,
  );
  // A review on a connection to the frozen replica waits the webhook's timeout, once per webhook a
  // pod calls (mutate, then validate), then failurePolicy Ignore admits it: never much longer.
  t.ok(ms.at(-1)! < 2 * timeoutMs + 2_000, `the slowest creation took ${Math.round(ms.at(-1)!)} ms`);
  // Only reviews sent on its connections or dialled before its endpoint was withdrawn.
  const bound = Math.ceil(perSecond * ((notReadyAt - frozenAt) / 1000 + 1));
  t.ok(result.missed.length <= bound, `${result.missed.length} missed, at most ${bound}`);
  t.equal(result.failed.length, 0, 'no creation failed (failurePolicy Ignore)');
  await waitFor(
    'the thawed replica to be ready again',
    async () => (await publishedEndpoints()).some((e) => e.address === frozen.address && e.ready),
    30_000,
  );
});

/** The caBundles of eci-admission's webhooks, decoded. */
async function caBundles(): Promise<string[]> {
  const configurations = JSON.parse(
    await kubectlOk(['get', ...webhookConfigurations.map((kind) => `${kind}/eci-admission`), '-o', 'json']),
  ) as { items: Array<{ webhooks: Array<{ clientConfig: { caBundle?: string } }> }> };
  return configurations.items.flatMap((c) =>
    c.webhooks.map((w) => Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString()),
  );
}

/** The fingerprint of the certificate a replica presents to a client asking for the Service's name. */
function servedFingerprint(replica: WebhookState, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(
      { host: replica.address, port: replica.port, servername: 'eci-admission.eci-admission.svc', ca },
      () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
        socket.end();
      },
    );
    socket.on('error', reject);
  });
}

t.test('the serving certificate and its CA rotated with an overlap: no TLS failure, none missed', async (t) => {
  await twoReplicas();
  const read = (name: string) => readFileSync(join(webhookCertDir, name), 'utf8');
  const old = { ca: read('ca.crt'), cert: read('tls.crt'), key: read('tls.key') };
  const next = webhookCertificates();
  const both = `${old.ca.trimEnd()}\n${next.caCert}`;
  const logBefore = statSync(apiserverLog).size;
  const load = startPodLoad({ namespace: ns, perSecond, maxSeconds: 120 });
  await sleep(2_000);
  // 1. Both CAs in the Secret's ca.crt: registration publishes them as the caBundle.
  mountWebhookSecret({ ...old, ca: both });
  await waitFor('the caBundle to carry both CAs', async () => (await caBundles()).every((b) => b === both), 30_000);
  // 2. The new certificate, which the API server trusts already.
  mountWebhookSecret({ ca: both, cert: next.cert, key: next.key });
  const fingerprint = new X509Certificate(next.cert).fingerprint256;
  await waitFor(
    'every replica to serve the new certificate',
    async () =>
      (await Promise.all(runningReplicas().map((r) => servedFingerprint(r, both)))).every((f) => f === fingerprint),
    30_000,
  );
  // 3. The old CA removed.
  mountWebhookSecret({ ca: next.caCert, cert: next.cert, key: next.key });
  await waitFor(
    'the caBundle to carry the new CA only',
    async () => (await caBundles()).every((b) => b === next.caCert),
    30_000,
  );
  await sleep(3_000);
  const result = await load.stop();
  report(t, 'certificate and CA rotated', result);
  const failures = readFileSync(apiserverLog, 'utf8')
    .slice(logBefore)
    .split('\n')
    .filter((line) => line.includes('Failed calling webhook') && /x509|tls|certificate/i.test(line));
  t.same(failures.slice(0, 3), [], 'the API server logged no TLS failure calling the webhook');
  t.equal(result.missed.length, 0, 'no pod missed the mutation');
  t.equal(result.failed.length, 0, 'no creation failed');
});
