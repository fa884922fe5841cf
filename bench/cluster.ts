// `npm run bench:cluster [-- --rounds N --apply-rounds N | --soak MINUTES]`: what eci-admission adds to each pod
// creation through a real API server (the e2e cluster), against no webhook, a no-op webhook
// registered the same way, and a peer, Kyverno, enforcing the equivalent checks. One run per row is
// noise at p99, so each row is measured in several interleaved rounds and the median is reported.
// Then the time from `kubectl apply` of a Deployment to its pods Running, with and without it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { ensurePeerBinaries, type Binary } from '../e2e/binaries.js';
import { stopCluster } from '../e2e/down.js';
import { kubectlOk, namespace } from '../e2e/helpers.js';
import { adminKubeconfig, repoRoot, webhookCertDir } from '../e2e/paths.js';
import { startDetached } from '../e2e/processes.js';
import type { WebhookState } from '../e2e/state.js';
import { up } from '../e2e/up.js';
import { inReplicaNetns, replicaAddresses } from '../e2e/network.js';
import {
  addReplica,
  replicaPort,
  startWebhook,
  stopReplica,
  stopWebhook,
  untilPublished,
  webhookGet,
} from '../e2e/webhook.js';
import { applyToRunning, type ApplyScenario } from './apply-to-running.js';
import { clusterResults, type Measured, type Scenario } from './cluster-report.js';
import { installKyverno, startKyverno, stopKyverno, untilKyvernoRefuses } from './kyverno.js';
import { fixedRate, type Load } from './load.js';
import { joined, markdown, writeResults } from './report.js';
import { soak } from './soak.js';
import { untilWebhooksAnswer } from './webhook-calls.js';

const rates = [50, 200];
const seconds = 10;
const ns = 'bench';
const realisticProfile = join(repoRoot, 'bench', 'cluster-profile.yaml');
/** eci-admission's two webhooks a pod creation calls (and so the no-op's, registered the same way). */
const eciWebhooks = ['mutate.eci-admission.svc', 'validate.eci-admission.svc'];

const say = (line: string) => process.stderr.write(`bench:cluster: ${line}\n`);

/** Pods created as fast as offered, each with a generated name, as a controller creates them. */
async function createPods(rate: number): Promise<Load> {
  const config = parse(readFileSync(adminKubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: { server: string } }>;
    users: Array<{ user: { token: string } }>;
  };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-', namespace: ns, labels: { app: 'web', workload: 'spot' } },
    spec: {
      // No scheduler of this name: the pods stay unbound, so no node's work on them (eci-admission
      // routes them to the virtual node, the others go to the ECS node) skews a row.
      schedulerName: 'bench-unscheduled',
      containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '250m', memory: '256Mi' } } }],
    },
  };
  const url = `${config.clusters[0]!.cluster.server}/api/v1/namespaces/${ns}/pods`;
  const headers = { authorization: `Bearer ${config.users[0]!.user.token}` };
  await fixedRate(url, JSON.stringify(pod), rate, headers, 2);
  return fixedRate(url, JSON.stringify(pod), rate, headers, seconds);
}

/** Every rate once, the namespace emptied after each, so that no row runs beside more pods than another. */
async function measure(): Promise<Map<number, Load>> {
  const loads = new Map<number, Load>();
  for (const rate of rates) {
    loads.set(rate, await createPods(rate));
    // One deletecollection; pods bound to no node go at once.
    await kubectlOk(['delete', '--raw', `/api/v1/namespaces/${ns}/pods`]);
  }
  return loads;
}

/** eci-admission's webhook configurations as registered (caBundle included), to put back at will. */
async function registeredConfigurations(): Promise<string> {
  const list = JSON.parse(
    await kubectlOk([
      'get',
      'mutatingwebhookconfiguration,validatingwebhookconfiguration',
      'eci-admission',
      '-o',
      'json',
    ]),
  ) as { items: Array<{ metadata: { name: string; labels?: object } }> };
  const items = list.items.map((item) => ({
    ...item,
    metadata: { name: item.metadata.name, labels: item.metadata.labels },
  }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
}

function eciScenarios(configurations: string, http2: boolean): Scenario[] {
  const register = () => kubectlOk(['create', '-f', '-'], { input: configurations });
  const unregister = () =>
    kubectlOk(['delete', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', 'eci-admission']);
  return [
    { name: 'no webhook', webhooks: [], start: async () => {}, stop: async () => {} },
    noopScenario('no-op webhook', [], register, unregister),
    // Whether the API server speaks HTTP/2 to a webhook that offers it: the protocol comparison
    // through the real server, with what it negotiated logged.
    ...(http2 ? [noopScenario('no-op webhook offering HTTP/2', ['h2'], register, unregister)] : []),
    {
      name: 'eci-admission',
      webhooks: eciWebhooks,
      start: async () => {
        await register();
        await startWebhook(['--cluster-mode=serverless']);
      },
      stop: async () => {
        await unregister();
        await stopWebhook();
      },
    },
  ];
}

/** Kyverno's own webhooks, by URL on loopback (it registers them itself). */
const kyvernoPort = 18444;

/** The ceiling as the one replica behind eci-admission's Service: the same configurations call it. */
function noopScenario(
  name: string,
  args: readonly string[],
  register: () => Promise<unknown>,
  unregister: () => Promise<unknown>,
): Scenario {
  let noop: WebhookState | undefined;
  return {
    name,
    webhooks: eciWebhooks,
    start: async () => {
      const script = join(repoRoot, 'dist', 'bench', 'ceiling.js');
      const address = replicaAddresses[0]!;
      const line = inReplicaNetns(process.execPath, [script, String(replicaPort), webhookCertDir, ...args]);
      const started = startDetached('noop-webhook', line.command, line.args, { CEILING_HOST: address });
      noop = { ...started, marker: script, address, port: replicaPort, args, readyPath: '/healthz' };
      addReplica(noop);
      await untilPublished(noop);
      await register();
    },
    stop: async () => {
      await unregister();
      if (!noop) return;
      say(`${name}: reviews by HTTP version ${(await webhookGet(noop, '/protocols')).body}`);
      await stopReplica(noop);
    },
  };
}

function kyvernoScenario(binary: Binary, port: number): Scenario {
  let started: ReturnType<typeof startKyverno> | undefined;
  return {
    name: `Kyverno ${binary.version}`,
    webhooks: ['mutate.kyverno.svc-ignore', 'validate.kyverno.svc-ignore'],
    start: async () => {
      started = startKyverno(binary, port);
      await untilKyvernoRefuses(started, ns);
    },
    stop: async () => {
      if (started) await stopKyverno(started);
    },
  };
}

/** Kyverno, built, installed and seen to refuse what the policies refuse once, or why it cannot be. */
async function peer(): Promise<Scenario | string> {
  try {
    const { kyverno } = await ensurePeerBinaries(say);
    await installKyverno(kyverno);
    const scenario = kyvernoScenario(kyverno, kyvernoPort);
    say(`${scenario.name}: a first start, to see it refuse what its policies refuse`);
    try {
      await scenario.start();
    } finally {
      await scenario.stop();
    }
    return scenario;
  } catch (error) {
    return `not measured: ${(error as Error).message.split('\n')[0]}`;
  }
}

/** Each round runs every scenario once, in an order rotated by one each round. */
async function rounds(scenarios: readonly Scenario[], count: number): Promise<Measured[]> {
  const measured = scenarios.map((scenario): Measured => ({ scenario, rounds: [] }));
  for (let round = 0; round < count; round++) {
    for (let i = 0; i < scenarios.length; i++) {
      const index = (i + round) % scenarios.length;
      const scenario = scenarios[index]!;
      say(`round ${round + 1}/${count}: ${scenario.name}`);
      try {
        await scenario.start();
        await untilWebhooksAnswer(ns, scenario.webhooks);
        measured[index]!.rounds.push(await measure());
      } finally {
        await scenario.stop();
      }
    }
  }
  return measured;
}

/** With eci-admission, its namespace label routes the Deployment; without, its nodeSelector and toleration. */
function applyScenarios(scenarios: readonly Scenario[]): ApplyScenario[] {
  const named = (name: string) => scenarios.find((scenario) => scenario.name === name)!;
  const ready = (scenario: Scenario) => async () => {
    await scenario.start();
    await untilWebhooksAnswer(ns, scenario.webhooks);
  };
  return [
    {
      name: 'without eci-admission (routed by hand)',
      routesByHand: true,
      start: ready(named('no webhook')),
      stop: named('no webhook').stop,
    },
    {
      name: 'with eci-admission (routed by the namespace label)',
      routesByHand: false,
      start: ready(named('eci-admission')),
      stop: named('eci-admission').stop,
    },
  ];
}

function wholeNumber(flag: string, value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new Error(`${flag}: ${value} is not a whole number of at least 1`);
  return count;
}

async function main(): Promise<void> {
  const options = {
    rounds: { type: 'string', default: '3' },
    'apply-rounds': { type: 'string', default: '4' },
    http2: { type: 'boolean', default: false },
    soak: { type: 'string' },
  } as const;
  const { values } = parseArgs({ args: process.argv.slice(2), options });
  const count = wholeNumber('--rounds', values.rounds);
  const applyRounds = wholeNumber('--apply-rounds', values['apply-rounds']);
  const started = new Date();
  if (values.soak !== undefined) return soakRun(wholeNumber('--soak', values.soak), started);
  await up({ clusterMode: 'serverless', profile: realisticProfile, serveArgs: [], replicas: 1 });
  try {
    await namespace(ns, { 'alibabacloud.com/eci': 'true', team: 'batch' });
    const configurations = await registeredConfigurations();
    await stopWebhook();
    await kubectlOk(['delete', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', 'eci-admission']);
    const kyverno = await peer();
    const scenarios = [
      ...eciScenarios(configurations, values.http2),
      ...(typeof kyverno === 'string' ? [] : [kyverno]),
    ];
    const measured = await rounds(scenarios, count);
    const { rows, figures } = joined([
      clusterResults(rates, measured, typeof kyverno === 'string' ? kyverno : undefined),
      await applyToRunning(ns, applyScenarios(scenarios), applyRounds, say),
    ]);
    process.stdout.write(`${markdown(rows)}\n`);
    await writeResults(join(repoRoot, 'bench', 'results', 'cluster'), rows, started, figures);
  } finally {
    await stopCluster();
  }
}

/** `--soak MINUTES`: two replicas, pods at 50/s for that long (soak.ts). */
async function soakRun(minutes: number, started: Date): Promise<void> {
  await up({ clusterMode: 'serverless', serveArgs: [], replicas: 2 });
  try {
    const rows = await soak(minutes, say);
    process.stdout.write(`${markdown(rows)}\n`);
    await writeResults(join(repoRoot, 'bench', 'results', 'soak'), rows, started);
  } finally {
    await stopCluster();
  }
}

await main();
