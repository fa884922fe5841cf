// `eci-admission check` on 5,000 documents: the built CLI end to end (wall time, as CI sees it),
// the in-process rate of read + route + decide + report, and the peer's CLI, `kyverno apply` of
// the bench's equivalent policies, on the same file.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { peerBinaries } from '../e2e/binaries.js';
import { checkManifests, namespaceLabelsOf } from '../lib/check/check.js';
import { readInputs } from '../lib/check/inputs.js';
import { jsonReport } from '../lib/check/report/json.js';
import { loadWebhookRouting } from '../lib/check/webhook-routing.js';
import { policyContext } from '../lib/policy/context.js';
import { daemonSet, kubectlCreate, pod } from '../test/helpers/objects.js';
import { policiesDir } from './kyverno.js';
import type { Row } from './report.js';

const documents = 5_000;
const wallTimeGoalSeconds = 3;
const cli = fileURLToPath(new URL('../lib/cli.js', import.meta.url));

/** A mix as a repository holds it: workloads, Services, ConfigMaps, and some ECI cannot run. */
function writeManifests(file: string): void {
  const kinds = [
    kubectlCreate('deployment', 'web', '--image=nginx', '--replicas=3'),
    kubectlCreate('service', 'loadbalancer', 'lb', '--tcp=80:8080'),
    kubectlCreate('cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *'),
    kubectlCreate('configmap', 'settings', '--from-literal=mode=fast'),
    pod({ volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }),
    daemonSet(),
  ];
  const yaml = Array.from({ length: documents }, (_, i) => {
    const object = structuredClone(kinds[i % kinds.length]!);
    return stringify({ ...object, metadata: { ...object.metadata, name: `object-${i}` } });
  });
  writeFileSync(file, yaml.join('---\n'));
}

function seconds(since: bigint): number {
  return Number(process.hrtime.bigint() - since) / 1e9;
}

function cliSeconds(file: string): number {
  const start = process.hrtime.bigint();
  try {
    execFileSync(process.execPath, [cli, 'check', '-f', file, '-o', 'json'], { stdio: 'ignore' });
  } catch {
    // Exit 1: the set holds denials on purpose.
  }
  return seconds(start);
}

/** Kyverno's CLI when `npm run bench:cluster` has built it: this bench itself needs no Go. */
function kyvernoApplyRow(file: string, checkWall: number): Row {
  const kyverno = peerBinaries().cli;
  const figure = `kyverno apply ${kyverno.version}: the same ${documents.toLocaleString('en')} documents, bench/kyverno/policies, one process`;
  if (!existsSync(kyverno.path))
    return { figure, value: 'not measured: the Kyverno CLI is built by `npm run bench:cluster` (needs Go)' };
  const start = process.hrtime.bigint();
  const result = spawnSync(kyverno.path, ['apply', policiesDir, '--resource', file], {
    encoding: 'utf8',
    maxBuffer: 512 * 2 ** 20,
    timeout: 600_000,
  });
  const wall = seconds(start);
  // Its last line counts rule results (a document can fail several rules).
  const summary = /pass: (\d+), fail: (\d+), warn: \d+, error: (\d+), skip: (\d+)/.exec(result.stdout);
  if (!summary)
    return {
      figure,
      value: `failed (exit ${result.status}): ${(result.error?.message ?? result.stderr).trim().split('\n')[0]}`,
    };
  const [, pass, fail, error, skip] = summary;
  return {
    figure: `${figure} (${perSecond(wall)})`,
    value: `${wall.toFixed(2)} s = ${(wall / checkWall).toFixed(1)}× check's (rule results: ${pass} pass, ${fail} fail, ${error} error, ${skip} skip)`,
  };
}

const perSecond = (time: number) => `${Math.round(documents / time).toLocaleString('en')} documents/s`;

async function inProcessSeconds(file: string): Promise<number> {
  const start = process.hrtime.bigint();
  const inputs = await readInputs([file], async () => '');
  const context = policyContext({ namespaceLabels: namespaceLabelsOf(inputs.manifests, new Map()) });
  jsonReport({
    results: checkManifests(inputs.manifests, context, loadWebhookRouting()),
    errors: inputs.errors,
    strict: false,
  });
  return seconds(start);
}

export async function checkRows(): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'eci-admission-bench-'));
  const file = join(dir, 'manifests.yaml');
  try {
    writeManifests(file);
    const wall = cliSeconds(file);
    const inProcess = await inProcessSeconds(file);
    return [
      {
        figure: `check: ${documents.toLocaleString('en')} documents, built CLI, one process (${perSecond(wall)})`,
        value: `${wall.toFixed(2)} s`,
        goal: `< ${wallTimeGoalSeconds} s`,
        met: wall < wallTimeGoalSeconds,
      },
      { figure: 'check in-process: read, route, decide, report', value: perSecond(inProcess) },
      kyvernoApplyRow(file, wall),
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
