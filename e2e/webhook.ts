// `eci-admission serve` as the install runs it: N replicas behind the Service of
// deploy/webhook-configurations.yaml, each its own process with its own address (a pod IP, in the
// replicas' network namespace), reaching the API server with the eci-admission ServiceAccount's
// token and deploy/'s RBAC (registration included), never as admin. The API server resolves the
// Service to a ready endpoint of its EndpointSlice (--enable-aggregator-routing), which
// e2e/endpoints.ts keeps as the kubelet's probes and the EndpointSlice controller would.
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { webhookService } from '../lib/facts.js';
import { type CertificateSet, generateCertificates, serviceDnsNames } from '../lib/tls/certificates.js';
import { certFileNames } from '../lib/tls/cert-dir.js';
import { writeSecretVolume } from './secret-volume.js';
import { writeKubeconfig } from './control-plane.js';
import { kubectl, kubectlOk } from './kubectl.js';
import { hostAddress, inReplicaNetns, replicaAddresses } from './network.js';
import { cliPath, webhookCertDir, webhookKubeconfig } from './paths.js';
import { isRunning, startDetached, stop, waitFor, type Started } from './processes.js';
import { readState, requireState, writeState, type WebhookState } from './state.js';
import { publishedEndpoints } from './endpoint-slice.js';

/** What each replica listens on, as the Deployment's containerPort. */
export const replicaPort = 8443;

/** The serving certificate of the install, with a CA of its own (what `certs` makes). */
export function webhookCertificates(): CertificateSet {
  // The Service's names, which the API server verifies, and the replicas' addresses, so that a
  // webhook configured by URL (the Helm test's) reaches one too.
  return generateCertificates({
    dnsNames: serviceDnsNames(webhookService.name, webhookService.namespace),
    ipAddresses: replicaAddresses,
    days: 30,
    now: new Date(),
  });
}

/** The certificate directory the replicas share, written as the kubelet mounts the Secret. */
export function mountWebhookSecret(files: { readonly ca: string; readonly cert: string; readonly key: string }): void {
  writeSecretVolume(webhookCertDir, {
    [certFileNames.ca]: files.ca,
    [certFileNames.cert]: files.cert,
    [certFileNames.key]: files.key,
  });
}

/** A new set for a new cluster. */
export function writeWebhookCertificates(): CertificateSet {
  rmSync(webhookCertDir, { recursive: true, force: true });
  const set = webhookCertificates();
  mountWebhookSecret({ ca: set.caCert, cert: set.cert, key: set.key });
  return set;
}

/** A kubeconfig holding a token of the ServiceAccount deploy/ creates (TokenRequest API), for the replicas' side of the network. */
export async function writeWebhookKubeconfig(apiPort: number, caCert: string): Promise<void> {
  const token = (await kubectlOk(['-n', 'eci-admission', 'create', 'token', 'eci-admission', '--duration=24h'])).trim();
  const server = `https://${hostAddress}:${apiPort}`;
  writeKubeconfig(webhookKubeconfig, server, caCert, 'system:serviceaccount:eci-admission:eci-admission', token);
}

/** The replicas that run now. */
export function runningReplicas(): WebhookState[] {
  return (readState()?.webhooks ?? []).filter(isRunning);
}

/** The replica tests read /metrics and /readyz of: the oldest that runs. */
export function firstReplica(): WebhookState {
  const [replica] = runningReplicas();
  if (!replica) throw new Error('the e2e webhook is not running');
  return replica;
}

/** Starts as many replicas as e2e:up was asked for and waits until the API server calls them. */
export async function startWebhook(args: readonly string[]): Promise<WebhookState[]> {
  const running = runningReplicas();
  if (running.length > 0) throw new Error(`the webhook already runs (pid ${running.map((r) => r.pid).join(', ')})`);
  const replicas: WebhookState[] = [];
  for (let i = 0; i < (requireState().replicas ?? 1); i++) replicas.push(await startReplica(args));
  await untilApiServerCallsWebhook();
  return replicas;
}

/**
 * One more replica, on the first free address: started, ready (its /readyz) and published ready in
 * the EndpointSlice, as a new pod of a rollout is before the old one is stopped.
 */
export async function startReplica(args: readonly string[]): Promise<WebhookState> {
  const taken = new Set(runningReplicas().map((replica) => replica.address));
  const address = replicaAddresses.find((candidate) => !taken.has(candidate));
  if (!address) throw new Error(`every replica address is taken (${replicaAddresses.length})`);
  const serveArgs = [cliPath, 'serve', '--host', address, '--port', String(replicaPort), '--cert-dir', webhookCertDir];
  const line = inReplicaNetns(process.execPath, [...serveArgs, '--register', ...args]);
  const started = startDetached(`webhook-${address}`, line.command, line.args, {
    KUBECONFIG: webhookKubeconfig,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
  });
  const replica: WebhookState = { ...started, marker: cliPath, address, port: replicaPort, args, readyPath: '/readyz' };
  addReplica(replica);
  await untilPublished(replica);
  return replica;
}

/** Records a replica (or a stand-in of a bench) for the EndpointSlice and e2e:down. */
export function addReplica(replica: WebhookState): void {
  const state = requireState();
  writeState({ ...state, webhooks: [...(state.webhooks ?? []).filter(isRunning), replica] });
}

/** Until the replica answers its readiness probe and the EndpointSlice lists it ready. */
export async function untilPublished(replica: WebhookState): Promise<void> {
  await waitFor(`${replica.name} ${replica.readyPath}`, () => ready(replica), 60_000, replica);
  await waitFor(
    `${replica.name} ready in the EndpointSlice`,
    async () => (await publishedEndpoints()).some((e) => e.address === replica.address && e.ready),
    30_000,
    replica,
  );
}

/** SIGTERM, as the kubelet stops a pod, then what is left of the state. */
export async function stopReplica(replica: Started, graceMs?: number): Promise<void> {
  await stop(replica, graceMs);
  const state = requireState();
  writeState({ ...state, webhooks: (state.webhooks ?? []).filter((r) => r.pid !== replica.pid && isRunning(r)) });
}

export async function stopWebhook(): Promise<void> {
  // At once, as a scale to zero would: each waits out its shutdown delay.
  await Promise.all(runningReplicas().map((replica) => stopReplica(replica, 30_000)));
}

/**
 * Replaces every replica, one at a time, as a Deployment's rolling update with maxUnavailable 0
 * and maxSurge 1 does: a new replica is started and waited for until ready in the EndpointSlice,
 * then the oldest is sent SIGTERM and waited for until it has exited.
 */
export async function rollReplicas(
  argsOf: (old: WebhookState) => readonly string[],
  log: (line: string) => void = () => {},
): Promise<WebhookState[]> {
  const replicas: WebhookState[] = [];
  for (const replica of runningReplicas()) {
    const surge = await startReplica(argsOf(replica));
    replicas.push(surge);
    log(`${surge.name} (pid ${surge.pid}) ready; stopping ${replica.name} (pid ${replica.pid})`);
    // Past the shutdown delay and the drain, as the kubelet's grace period (deploy/deployment.yaml).
    await stopReplica(replica, 60_000);
    log(`${replica.name} exited`);
  }
  return replicas;
}

/**
 * Replicas with new arguments, rolled in: stopping every replica first would leave the Service
 * without a ready endpoint for the shutdown delay, and the pods a controller creates then unmutated.
 */
export async function restartWebhook(args: readonly string[]): Promise<WebhookState[]> {
  if (runningReplicas().length === 0) return startWebhook(args);
  const replicas = await rollReplicas(() => args);
  await untilApiServerCallsWebhook();
  return replicas;
}

/** The arguments the running replicas were started with (what a test restores). */
export function webhookArgs(): readonly string[] {
  return runningReplicas()[0]?.args ?? readState()?.webhooks?.[0]?.args ?? [];
}

async function ready(replica: WebhookState): Promise<boolean | string> {
  const { status, body } = await webhookGet(replica, replica.readyPath);
  return status === 200 ? true : `${status} ${body}`;
}

/** GET on a replica, trusting the CA of its certificate, by the Service's name as the API server asks. */
export function webhookGet(
  replica: Pick<WebhookState, 'address' | 'port'>,
  path: string,
): Promise<{ status: number; body: string }> {
  const ca = readFileSync(join(webhookCertDir, 'ca.crt'));
  const servername = serviceDnsNames(webhookService.name, webhookService.namespace)[2]!;
  return new Promise((resolve, reject) => {
    const req = request({ host: replica.address, port: replica.port, path, ca, servername, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${replica.address}:${replica.port}${path}: no answer in 5 s`)));
    req.on('error', reject);
    req.end();
  });
}

/** The sum of a counter's series on a replica's /metrics. */
export async function webhookCounter(replica: WebhookState, name: string, labelFilter = ''): Promise<number> {
  const { body } = await webhookGet(replica, '/metrics');
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labelFilter))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** The value of one series (a gauge, or a counter with its labels) on a replica's /metrics; NaN when absent. */
export async function webhookGauge(replica: WebhookState, series: string): Promise<number> {
  const { body } = await webhookGet(replica, '/metrics');
  const line = body.split('\n').find((entry) => entry.startsWith(`${series} `));
  return line === undefined ? Number.NaN : Number(line.slice(series.length + 1));
}

/** The same over every running replica: the Service's view. */
async function counterOverReplicas(name: string): Promise<number> {
  const counts = await Promise.all(runningReplicas().map((replica) => webhookCounter(replica, name)));
  return counts.reduce((sum, count) => sum + count, 0);
}

/**
 * New webhook configurations and caBundles reach the API server's admission chain a moment after
 * they are written: the webhook is in the path once a pod's dry run reaches it (in every mode).
 */
export function untilApiServerCallsWebhook(): Promise<void> {
  return waitFor('the API server to call the webhook', apiServerCallsWebhook, 60_000);
}

async function apiServerCallsWebhook(): Promise<boolean | string> {
  const before = await counterOverReplicas('eci_admission_requests_total');
  const result = await kubectl([
    'run',
    'e2e-probe',
    '--image=busybox',
    '--restart=Never',
    '--dry-run=server',
    '-o',
    'name',
  ]);
  const after = await counterOverReplicas('eci_admission_requests_total');
  return after > before
    ? true
    : `a pod's dry run did not reach the webhook (kubectl exit ${result.code} ${result.stderr.trim()})`;
}
