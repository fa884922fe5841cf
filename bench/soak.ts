// `npm run bench:cluster -- --soak MINUTES`: pods created at 50/s through the real API server for
// MINUTES, with two replicas of eci-admission behind its Service, the namespace emptied once a
// minute. Per minute: p50 and p99 of a creation, pods that missed the mutation, creations that
// failed, and each replica's RSS. The goal: no error, and each replica's RSS at the end within 10 %
// of its RSS after the first minute (memory that grows with traffic would be a leak).
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { applyProfile, kubectlOk, namespace } from '../e2e/helpers.js';
import { startPodLoad, type Creation } from '../e2e/pod-load.js';
import { runningReplicas } from '../e2e/webhook.js';
import { median, percentile } from './cluster-report.js';
import type { Row } from './report.js';

const perSecond = 50;
const ns = 'soak';

/** Resident memory of a process, in MiB. */
function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? Number.NaN) / 1024;
}

export async function soak(minutes: number, say: (line: string) => void): Promise<Row[]> {
  await namespace(ns, { 'alibabacloud.com/eci': 'true', team: 'soak' });
  await applyProfile([
    {
      name: 'soak',
      namespaceSelector: { matchLabels: { team: 'soak' } },
      effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' } },
    },
  ]);
  const replicas = runningReplicas();
  const rss: number[][] = replicas.map(() => []);
  const load = startPodLoad({ namespace: ns, perSecond, maxSeconds: minutes * 60 + 5 });
  for (let minute = 1; minute <= minutes; minute++) {
    await sleep(60_000);
    for (const [i, replica] of replicas.entries()) rss[i]!.push(rssMiB(replica.pid));
    await kubectlOk(['delete', '--raw', `/api/v1/namespaces/${ns}/pods`]);
    say(`soak: minute ${minute}, RSS ${rss.map((r) => `${r.at(-1)!.toFixed(0)} MiB`).join(', ')}`);
  }
  const result = await load.stop();
  const rows: Row[] = [];
  for (let minute = 0; minute < minutes; minute++) {
    const inMinute = result.creations.filter((c: Creation) => Math.floor(c.at / 60_000) === minute);
    const ms = inMinute.map((c) => c.ms).sort((a, b) => a - b);
    const missed = inMinute.filter((c) => c.status === 201 && !c.mutated).length;
    const failed = inMinute.filter((c) => c.status !== 201).length;
    rows.push({
      figure: `soak at ${perSecond}/s, minute ${minute + 1}: p50 / p99 of a pod creation, missed, failed, RSS per replica`,
      value: `${median(ms).toFixed(0)} / ${percentile(ms, 99).toFixed(0)} ms, ${missed}, ${failed}, ${rss.map((r) => `${r[minute]!.toFixed(0)} MiB`).join(' and ')}`,
    });
  }
  rows.push({
    figure: `soak: pods offered in ${minutes} min, missed the mutation, failed`,
    value: `${result.creations.length}, ${result.missed.length}, ${result.failed.length}`,
    goal: 'no pod missed, no creation failed',
    met: result.missed.length === 0 && result.failed.length === 0,
  });
  for (const [i, series] of rss.entries()) {
    const growth = series.at(-1)! / series[0]! - 1;
    rows.push({
      figure: `soak: RSS of replica ${i + 1} at the end against after the first minute`,
      value: `${series.at(-1)!.toFixed(0)} MiB against ${series[0]!.toFixed(0)} MiB (${(growth * 100).toFixed(1)} %)`,
      goal: 'within 10 %',
      met: Math.abs(growth) <= 0.1,
    });
  }
  return rows;
}
