// `eci-admission scan -A` of a cluster of 5,000 and of 20,000 objects (test/helpers/large-cluster.ts,
// the case test/scan.test.ts checks), served by the list stand-in in this process: the built CLI
// end to end in a child process, its wall time and peak RSS. The scan keeps a reference and a
// result per object, never a page after it is judged, so RSS may grow with the objects judged,
// not with their size; the bound is on what 5,000 objects add to the empty cluster's RSS.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fillLargeCluster } from '../test/helpers/large-cluster.js';
import { ListApi } from '../test/helpers/list-api.js';
import type { Row } from './report.js';

const cli = fileURLToPath(new URL('../lib/cli.js', import.meta.url));
const maxRss = fileURLToPath(new URL('./max-rss.js', import.meta.url));
/** What 5,000 objects may add to the RSS of a scan of an empty cluster. */
const growthGoalMegabytes = 20;
/** The page size of `serve --background-scan`'s pages, smaller than the CLI's 500. */
const pageSize = 100;

interface ScanRun {
  readonly seconds: number;
  readonly megabytes: number;
  readonly largestPage: number;
  readonly code: number | null;
}

/** Exit code, not output: the text report is discarded as a terminal would scroll it away. */
function runCli(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', maxRss, cli, ...args], {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    child.on('error', reject).on('exit', resolve);
  });
}

async function scanOf(objects: number): Promise<ScanRun> {
  const api = await ListApi.start();
  try {
    fillLargeCluster(api, objects);
    const dir = mkdtempSync(join(tmpdir(), 'eci-bench-scan-'));
    const kubeconfig = join(dir, 'kubeconfig');
    const rssFile = join(dir, 'max-rss');
    writeFileSync(kubeconfig, api.kubeConfigYaml());
    const started = process.hrtime.bigint();
    const env = { ...process.env, KUBECONFIG: kubeconfig, BENCH_MAX_RSS_FILE: rssFile };
    const code = await runCli(['scan', '-A', '--page-size', String(pageSize)], env);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, megabytes: Number(readFileSync(rssFile, 'utf8')), largestPage: api.largestPage, code };
  } finally {
    await api.close();
  }
}

const described = (run: ScanRun) =>
  `${run.megabytes.toFixed(0)} MB peak RSS, ${run.seconds.toFixed(1)} s (pages of ${pageSize}, largest answer ` +
  `${run.largestPage} objects, exit ${run.code})`;

export async function scanRows(): Promise<Row[]> {
  const empty = await scanOf(0);
  const five = await scanOf(5_000);
  const twenty = await scanOf(20_000);
  return [
    {
      figure: 'scan -A of a cluster of 50 empty namespaces (the fixed cost: Node, client-node, the rules)',
      value: described(empty),
    },
    {
      figure: 'scan -A of 5,000 objects (1,000 Deployments with their ReplicaSets and Pods, 1,000 bare Pods)',
      value: `${described(five)}; ${(five.megabytes - empty.megabytes).toFixed(0)} MB over the empty cluster's`,
      goal: `<= ${growthGoalMegabytes} MB over the empty cluster's`,
      met: five.megabytes - empty.megabytes <= growthGoalMegabytes && five.code === 1 && five.largestPage <= pageSize,
    },
    { figure: 'scan -A of 20,000 objects, the same mix', value: described(twenty) },
  ];
}
