// `npm run bench`: every figure in one run, the ceiling measured beside the webhook.
// Loopback only; each load run lasts seconds, and the whole stops by itself in about two minutes.
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { ensureCertDir } from '../lib/tls/cert-dir.js';
import { reviewFor } from '../test/helpers/objects.js';
import { checkRows } from './check.js';
import { decideRows, scalingRows } from './decide.js';
import { fixedRate, maximum, warmUp, type Load } from './load.js';
import { profileData, replicaSetPod } from './objects.js';
import { machine, markdown, writeResults, type Row } from './report.js';
import { startCeiling, startWebhook } from './servers.js';

const results = fileURLToPath(new URL('../../bench/results/latest', import.meta.url));
const profileSelectors = 50;
const throughputGoal = 0.85;
const latencyGoal = 1.5;
const rssGoalMegabytes = 150;

const say = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function serverRows(): Promise<Row[]> {
  const dir = await mkdtemp(join(tmpdir(), 'eci-bench-'));
  const certDir = join(dir, 'certs');
  await ensureCertDir(certDir, new Date());
  const profile = join(dir, 'eci-profile.yaml');
  await writeFile(profile, stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'eci-profile', namespace: 'kube-system' }, data: profileData(profileSelectors) }));
  const body = JSON.stringify(reviewFor(replicaSetPod, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002' }));
  const [ceiling, webhook] = await Promise.all([startCeiling(certDir), startWebhook(certDir, profile)]);
  try {
    const ceilingUrl = `${ceiling.url}/mutate`;
    say('warming up');
    await warmUp(ceilingUrl, body);
    await warmUp(`${webhook.url}/mutate`, body);
    await warmUp(`${webhook.url}/validate`, body);
    say('throughput');
    // The ceiling before and after the webhook: a machine shared with others drifts.
    const ceilingRuns = [await maximum(ceilingUrl, body)];
    const mutate = await maximum(`${webhook.url}/mutate`, body);
    const validate = await maximum(`${webhook.url}/validate`, body);
    ceilingRuns.push(await maximum(ceilingUrl, body));
    const top = ceilingRuns.reduce((sum, run) => sum + run.rate, 0) / ceilingRuns.length;
    const rows: Row[] = [
      { figure: `review size (ReplicaSet pod with service-account volume)`, value: `${(Buffer.byteLength(body) / 1024).toFixed(2)} KB` },
      { figure: 'ceiling: no-op fastify HTTPS, same review, 16 connections', value: `${rate(top)} (runs: ${ceilingRuns.map((run) => rate(run.rate)).join(', ')})`, met: noFailures(ceilingRuns) },
      throughputRow(`POST /mutate, ${profileSelectors} selectors`, mutate, top),
      throughputRow(`POST /validate, ${profileSelectors} selectors`, validate, top),
    ];
    for (const offered of [2000, 5000]) {
      say(`fixed rate ${offered}/s`);
      const base = await fixedRate(ceilingUrl, body, offered);
      const ours = await fixedRate(`${webhook.url}/mutate`, body, offered);
      rows.push(
        { figure: `ceiling at ${offered.toLocaleString('en')}/s offered: p50 / p99`, value: `${latency(base)} (${rate(base.rate)} done)`, met: noFailures([base]) },
        { figure: `/mutate at ${offered.toLocaleString('en')}/s offered: p50 / p99`, value: `${latency(ours)} (${rate(ours.rate)} done)`, met: noFailures([ours]) },
        ratioRow(`/mutate p99 / ceiling p99 at ${offered.toLocaleString('en')}/s`, ours.p99 / base.p99),
      );
    }
    return rows;
  } finally {
    await Promise.all([ceiling.stop(), webhook.stop()]);
  }
}

function throughputRow(figure: string, load: Load, top: number): Row {
  const ratio = load.rate / top;
  return { figure: `${figure}: throughput / ceiling`, value: `${rate(load.rate)} = ${ratio.toFixed(2)}`, goal: `>= ${throughputGoal}`, met: ratio >= throughputGoal && load.failures === 0 };
}

function ratioRow(figure: string, ratio: number): Row {
  return { figure, value: `${ratio.toFixed(2)}×`, goal: `<= ${latencyGoal}×`, met: ratio <= latencyGoal };
}

function noFailures(loads: readonly Load[]): boolean | undefined {
  return loads.every((load) => load.failures === 0) ? undefined : false;
}

const rate = (perSecond: number) => `${Math.round(perSecond).toLocaleString('en')}/s`;
const latency = (load: Load) => `${load.p50} ms / ${load.p99} ms`;

function memoryRow(): Row {
  const script = fileURLToPath(new URL('./memory.js', import.meta.url));
  const { before, after } = JSON.parse(execFileSync(process.execPath, ['--expose-gc', script], { encoding: 'utf8' })) as { before: number; after: number };
  return { figure: `server RSS with 10,000 namespaces cached (${before.toFixed(0)} MB before)`, value: `${after.toFixed(0)} MB`, goal: `<= ${rssGoalMegabytes} MB`, met: after <= rssGoalMegabytes };
}

const started = new Date();
say(`on ${machine()}`);
say('decide() in-process');
const rows = [...decideRows()];
say('decide() scaling with selectors');
rows.push(...scalingRows());
say('memory');
rows.push(memoryRow());
say('check on 5,000 documents');
rows.push(...(await checkRows()));
rows.push(...(await serverRows()));
process.stdout.write(`${markdown(rows)}\n`);
await writeResults(results, rows, started);
say(`written to ${results}.md and ${results}.json (${((Date.now() - started.getTime()) / 1000).toFixed(0)} s)`);
