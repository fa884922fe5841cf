// `npm run bench`: every figure in one run, the ceiling measured beside the webhook.
// Loopback only; each load run lasts seconds, and the whole stops by itself in about two minutes.
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import jsonpatch from 'fast-json-patch';
import { stringify } from 'yaml';
import { ensureCertDir } from '../lib/tls/cert-dir.js';
import { reviewFor } from '../test/helpers/objects.js';
import { checkRows } from './check.js';
import { decideRows, scalingRows } from './decide.js';
import { fixedRate, maximum, warmUp, type Load } from './load.js';
import { profileData, replicaSetPod } from './objects.js';
import { machine, markdown, writeResults, type Row } from './report.js';
import { bodyFile, h2load, hasH2load, missingH2loadRow, type H2loadRun, type Shape } from './http2.js';
import { pinLoadGenerator, type Pinning } from './pinning.js';
import { scanRows } from './scan.js';
import { patchOf, startCeiling, startWebhook } from './servers.js';
import { packagePath, webhookPaths } from '../lib/facts.js';

const results = packagePath('bench/results/latest');
const profileSelectors = 50;
const throughputGoal = 0.85;
const latencyGoal = 1.5;
const rssGoalMegabytes = 150;

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Runs of every server figure, interleaved; the report gives their median and every run. */
const rounds = Math.max(3, Number(process.env.BENCH_ROUNDS ?? 3));
const offeredRates = [2000, 5000];

async function serverRows(pinning: Pinning): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'eci-bench-'));
  const certDir = join(dir, 'certs');
  await ensureCertDir(certDir, new Date());
  const profile = join(dir, 'eci-profile.yaml');
  await writeFile(
    profile,
    stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'eci-profile', namespace: 'kube-system' },
      data: profileData(profileSelectors),
    }),
  );
  const [ceiling, webhook] = await Promise.all([
    startCeiling(certDir, pinning.server),
    startWebhook(certDir, profile, pinning.server),
  ]);
  try {
    const bodies = await reviewBodies(webhook.url);
    const targets: Target[] = [
      { name: 'ceiling', url: `${ceiling.url}${webhookPaths.mutate}`, body: bodies.mutate },
      { name: webhookPaths.mutate, url: `${webhook.url}${webhookPaths.mutate}`, body: bodies.mutate },
      { name: webhookPaths.validate, url: `${webhook.url}${webhookPaths.validate}`, body: bodies.validate },
    ];
    say('warming up');
    for (const target of targets) await warmUp(target.url, target.body);
    return [
      {
        figure: 'review size (ReplicaSet pod with service-account volume)',
        value: `${(Buffer.byteLength(bodies.mutate) / 1024).toFixed(2)} KB`,
      },
      { figure: 'placement of the load generator and the servers', value: pinning.description },
      ...(await throughputRows(targets)),
      ...(await latencyRows(targets)),
      ...(await protocolRows(dir, certDir, pinning, targets)),
    ];
  } finally {
    await Promise.all([ceiling.stop(), webhook.stop()]);
  }
}

interface Target {
  readonly name: string;
  readonly url: string;
  readonly body: string;
}

/**
 * The pod as /mutate receives it, and as /validate does: the API server calls the validating
 * webhook with the object its mutating webhooks made, so /validate gets the mutated pod.
 */
async function reviewBodies(webhookUrl: string): Promise<{ mutate: string; validate: string }> {
  const review = reviewFor(replicaSetPod, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002' });
  const mutate = JSON.stringify(review);
  const patch = await patchOf(`${webhookUrl}/mutate`, mutate);
  const mutated = jsonpatch.applyPatch(structuredClone(review.request!.object), patch).newDocument;
  return { mutate, validate: JSON.stringify({ ...review, request: { ...review.request!, object: mutated } }) };
}

async function throughputRows([ceiling, ...routes]: readonly Target[]): Promise<Row[]> {
  const runs: Load[][] = [[], [], []];
  for (let round = 1; round <= rounds; round++) {
    say(`throughput, run ${round} of ${rounds}`);
    // Each route beside a ceiling of its own run: a machine shared with others drifts.
    for (const [index, target] of [ceiling!, ...routes].entries())
      runs[index]!.push(await maximum(target.url, target.body));
  }
  const [ceilingRuns, ...routeRuns] = runs as [Load[], ...Load[][]];
  return [
    {
      figure: 'ceiling: no-op fastify HTTPS, same review, 16 connections',
      value: `${rate(median(ceilingRuns.map((run) => run.rate)))} (runs: ${ceilingRuns.map((run) => rate(run.rate)).join(', ')})`,
      met: noFailures(ceilingRuns),
    },
    ...routes.map((route, index) =>
      throughputRow(`POST ${route.name}, ${profileSelectors} selectors`, routeRuns[index]!, ceilingRuns),
    ),
  ];
}

function throughputRow(figure: string, runs: readonly Load[], ceilingRuns: readonly Load[]): Row {
  const ratios = runs.map((run, index) => run.rate / ceilingRuns[index]!.rate);
  const ratio = median(ratios);
  return {
    figure: `${figure}: throughput / ceiling (median of ${runs.length} runs)`,
    value: `${rate(median(runs.map((run) => run.rate)))} = ${ratio.toFixed(2)} (runs: ${ratios.map((each) => each.toFixed(2)).join(', ')})`,
    goal: `>= ${throughputGoal}`,
    met: ratio >= throughputGoal && noFailures(runs) === undefined,
  };
}

async function latencyRows([ceiling, ...routes]: readonly Target[]): Promise<Row[]> {
  const rows: Row[] = [];
  for (const offered of offeredRates) {
    const runs: Load[][] = [[], [], []];
    for (let round = 1; round <= rounds; round++) {
      say(`fixed rate ${offered}/s, run ${round} of ${rounds}`);
      for (const [index, target] of [ceiling!, ...routes].entries())
        runs[index]!.push(await fixedRate(target.url, target.body, offered));
    }
    const [ceilingRuns, ...routeRuns] = runs as [Load[], ...Load[][]];
    const at = `at ${offered.toLocaleString('en')}/s offered`;
    rows.push({
      figure: `ceiling ${at}: p50 / p99 (median)`,
      value: latency(ceilingRuns),
      met: noFailures(ceilingRuns),
    });
    for (const [index, route] of routes.entries()) {
      const ours = routeRuns[index]!;
      const ratios = ours.map((run, round) => run.p99 / ceilingRuns[round]!.p99);
      rows.push(
        { figure: `${route.name} ${at}: p50 / p99 (median)`, value: latency(ours), met: noFailures(ours) },
        {
          figure: `${route.name} p99 / ceiling p99 ${at}, in every run`,
          value: `${median(ratios).toFixed(2)}× median (runs: ${ratios.map((ratio) => `${ratio.toFixed(2)}×`).join(', ')})`,
          goal: `<= ${latencyGoal}×`,
          met: ratios.every((ratio) => ratio <= latencyGoal),
        },
      );
    }
  }
  return rows;
}

/**
 * HTTP/1.1 against HTTP/2 with h2load: the ceiling over each (16 connections; and HTTP/2's one
 * connection of 16 streams, what one API server would hold to one replica), and eci-admission.
 */
async function protocolRows(
  dir: string,
  certDir: string,
  pinning: Pinning,
  [ceiling, mutate]: readonly Target[],
): Promise<Row[]> {
  if (!hasH2load()) return [missingH2loadRow];
  const body = await bodyFile(dir, ceiling!.body);
  const h2 = await startCeiling(certDir, pinning.server, 'h2');
  try {
    const measured: Array<{ figure: string; url: string; shape: Shape }> = [
      {
        figure: 'ceiling, HTTP/1.1, 16 connections',
        url: ceiling!.url,
        shape: { protocol: 'http/1.1', connections: 16, streams: 1 },
      },
      {
        figure: 'ceiling, HTTP/2, 16 connections',
        url: `${h2.url}/mutate`,
        shape: { protocol: 'h2', connections: 16, streams: 1 },
      },
      {
        figure: 'ceiling, HTTP/2, 1 connection of 16 streams',
        url: `${h2.url}/mutate`,
        shape: { protocol: 'h2', connections: 1, streams: 16 },
      },
      {
        figure: `POST /mutate, HTTP/1.1, 16 connections`,
        url: mutate!.url,
        shape: { protocol: 'http/1.1', connections: 16, streams: 1 },
      },
    ];
    const runs: H2loadRun[][] = measured.map(() => []);
    for (let round = 1; round <= rounds; round++) {
      say(`HTTP/1.1 and HTTP/2 with h2load, run ${round} of ${rounds}`);
      for (const [index, { url, shape }] of measured.entries()) runs[index]!.push(h2load(url, body, shape));
    }
    const base = median(runs[0]!.map((run) => run.rate));
    return measured.map(({ figure }, index) => {
      const each = runs[index]!;
      const value = median(each.map((run) => run.rate));
      return {
        figure: `h2load: ${figure} (median of ${each.length} runs)`,
        value: `${rate(value)} = ${(value / base).toFixed(2)} of HTTP/1.1's ceiling, mean ${median(each.map((run) => run.mean)).toFixed(2)} ms`,
        met: each.every((run) => run.failures === 0) ? undefined : false,
      };
    });
  } finally {
    await h2.stop();
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function noFailures(loads: readonly Load[]): boolean | undefined {
  return loads.every((load) => load.failures === 0) ? undefined : false;
}

const rate = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en')}/s`;
const latency = (runs: readonly Load[]) =>
  `${median(runs.map((run) => run.p50))} ms / ${median(runs.map((run) => run.p99))} ms (p99 runs: ${runs.map((run) => run.p99).join(', ')} ms; ${rate(median(runs.map((run) => run.rate)))} done)`;

/** The figures through a real API server need the e2e cluster (Go): `npm run bench:cluster`. */
function clusterRows(): Row[] {
  return [
    {
      figure: 'pod creation through kube-apiserver, no webhook / no-op / eci-admission / Kyverno',
      value:
        'not in this run: `npm run bench:cluster` builds the API server with Go (bench/RESULTS.md has its latest figures)',
    },
  ];
}

function memoryRow(): Row {
  const script = fileURLToPath(new URL('./memory.js', import.meta.url));
  const { before, after } = JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8' }),
  ) as { before: number; after: number };
  return {
    figure: `server RSS with 10,000 namespaces cached (${before.toFixed(0)} MB before)`,
    value: `${after.toFixed(0)} MB`,
    goal: `<= ${rssGoalMegabytes} MB`,
    met: after <= rssGoalMegabytes,
  };
}

const started = new Date();
// Before anything is measured: the in-process figures run on the load generator's cores too.
const pinning = pinLoadGenerator();
say(`on ${machine()}; ${pinning.description}`);
say('decide() in-process');
const rows = [...decideRows()];
say('decide() scaling with selectors');
rows.push(...scalingRows());
say('memory');
rows.push(memoryRow());
say('check on 5,000 documents');
rows.push(...(await checkRows()));
say('scan of 5,000 and 20,000 objects');
rows.push(...(await scanRows()));
rows.push(...(await serverRows(pinning)));
rows.push(...clusterRows());
process.stdout.write(`${markdown(rows)}\n`);
await writeResults(results, rows, started);
say(`written to ${results}.md and ${results}.json (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
