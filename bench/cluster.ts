// `npm run bench:cluster`: what eci-admission adds to each pod creation through a real API server
// (the e2e cluster), against no webhook and a no-op webhook registered the same way.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { stopCluster } from '../e2e/down.js';
import { kubectlObjects, kubectlOk, namespace } from '../e2e/helpers.js';
import { adminKubeconfig, repoRoot, webhookCertDir } from '../e2e/paths.js';
import { stop, startDetached, waitFor } from '../e2e/processes.js';
import { up } from '../e2e/up.js';
import { stopWebhook, webhookPort } from '../e2e/webhook.js';
import { fixedRate, type Load } from './load.js';
import { markdown, writeResults, type Row } from './report.js';

const rates = [50, 200];
const seconds = 10;
const ns = 'bench';
const realisticProfile = join(repoRoot, 'bench', 'cluster-profile.yaml');

interface Scenario {
  readonly name: string;
  readonly loads: ReadonlyMap<number, Load>;
}

/** Pods created as fast as offered, each with a generated name, as a controller creates them. */
async function createPods(rate: number): Promise<Load> {
  const config = parse(readFileSync(adminKubeconfig, 'utf8')) as { clusters: Array<{ cluster: { server: string } }>; users: Array<{ user: { token: string } }> };
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-', namespace: ns, labels: { app: 'web', workload: 'spot' } },
    spec: { containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '250m', memory: '256Mi' } } }] },
  };
  const url = `${config.clusters[0]!.cluster.server}/api/v1/namespaces/${ns}/pods`;
  await fixedRate(url, JSON.stringify(pod), rate, { authorization: `Bearer ${config.users[0]!.user.token}` }, 2);
  return fixedRate(url, JSON.stringify(pod), rate, { authorization: `Bearer ${config.users[0]!.user.token}` }, seconds);
}

async function measure(name: string): Promise<Scenario> {
  const loads = new Map<number, Load>();
  for (const rate of rates) loads.set(rate, await createPods(rate));
  return { name, loads };
}

async function main(): Promise<void> {
  await up({ clusterMode: 'serverless', profile: realisticProfile, serveArgs: [] });
  try {
    await namespace(ns, { 'alibabacloud.com/eci': 'true', team: 'batch' });
    const scenarios: Scenario[] = [await measure('eci-admission')];
    // The no-op webhook answers on eci-admission's address: the same configurations call it.
    await stopWebhook();
    const noop = startDetached('noop-webhook', process.execPath, [join(repoRoot, 'dist', 'bench', 'ceiling.js'), String(await webhookPort()), webhookCertDir]);
    await waitFor('the no-op webhook', async () => (await kubectlObjects(['create', '--dry-run=server'], { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'probe', namespace: ns }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'c' }] } } } } as never)).code === 0, 30_000, noop);
    scenarios.push(await measure('no-op webhook'));
    await stop(noop);
    await kubectlOk(['delete', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', 'eci-admission']);
    // Nothing answers for the webhooks any more, so there is no probe of their removal: the API
    // server's informer takes it in well within this pause.
    await sleep(3000);
    scenarios.unshift(await measure('no webhook'));
    await report(scenarios);
  } finally {
    await stopCluster();
  }
}

async function report(scenarios: readonly Scenario[]): Promise<void> {
  const loadsOf = (name: string) => scenarios.find((scenario) => scenario.name === name)!.loads;
  const [none, noop, ours] = [loadsOf('no webhook'), loadsOf('no-op webhook'), loadsOf('eci-admission')];
  const rows: Row[] = [];
  for (const rate of rates) {
    for (const scenario of scenarios) {
      const load = scenario.loads.get(rate)!;
      rows.push({ figure: `pod creation at ${rate}/s, ${scenario.name}: p50 / p99`, value: `${load.p50} ms / ${load.p99} ms (${load.rate.toFixed(0)}/s done, ${load.failures} failed)`, met: load.failures === 0 });
    }
    const added = (loads: ReadonlyMap<number, Load>) => loads.get(rate)!.p99 - none.get(rate)!.p99;
    const figure = `added p99 at ${rate}/s: eci-admission / no-op webhook`;
    // When a webhook's p99 is not above the no-webhook one, the run's noise exceeds what the
    // webhook adds: there is no ratio to report, only that.
    if (added(noop) <= 0 || added(ours) < 0) {
      rows.push({ figure, value: `${added(ours)} ms / ${added(noop)} ms: below this run's noise, no ratio`, goal: '≤ 1.2×' });
      continue;
    }
    const ratio = added(ours) / added(noop);
    rows.push({ figure, value: `${added(ours)} ms / ${added(noop)} ms = ${ratio.toFixed(2)}×`, goal: '≤ 1.2×', met: ratio <= 1.2 });
  }
  process.stdout.write(`${markdown(rows)}\n`);
  await writeResults(join(repoRoot, 'bench', 'results', 'cluster'), rows, new Date());
}

await main();
