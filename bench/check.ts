// `eci-admission check` on 5,000 documents: the built CLI end to end (wall time, as CI sees it),
// and the in-process rate of parse + route + decide + report.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { checkManifests, namespaceLabelsOf } from '../lib/check/check.js';
import { readInputs } from '../lib/check/inputs.js';
import { jsonReport } from '../lib/check/report/json.js';
import { loadWebhookRouting } from '../lib/check/webhook-routing.js';
import { policyContext } from '../lib/policy/context.js';
import { daemonSet, kubectlCreate, pod } from '../test/helpers/objects.js';

const documents = 5_000;
const cli = fileURLToPath(new URL('../lib/cli.js', import.meta.url));
const kinds = [
  kubectlCreate('deployment', 'web', '--image=nginx', '--replicas=3'),
  kubectlCreate('service', 'loadbalancer', 'lb', '--tcp=80:8080'),
  kubectlCreate('cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *'),
  kubectlCreate('configmap', 'settings', '--from-literal=mode=fast'),
  pod({ volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }),
  daemonSet(),
];
const dir = mkdtempSync(join(tmpdir(), 'eci-admission-bench-'));
const file = join(dir, 'manifests.yaml');
writeFileSync(
  file,
  Array.from({ length: documents }, (_, i) => {
    const object = structuredClone(kinds[i % kinds.length]!);
    return stringify({ ...object, metadata: { ...object.metadata, name: `object-${i}` } });
  }).join('---\n'),
);

const start = process.hrtime.bigint();
try {
  execFileSync(process.execPath, [cli, 'check', '-f', file, '-o', 'json'], { stdio: 'ignore' });
} catch {
  // Exit 1: the set contains denials on purpose.
}
const wall = Number(process.hrtime.bigint() - start) / 1e9;

const inProcess = process.hrtime.bigint();
const inputs = await readInputs([file], async () => '');
const context = policyContext({ namespaceLabels: namespaceLabelsOf(inputs.manifests, new Map()) });
jsonReport({ results: checkManifests(inputs.manifests, context, loadWebhookRouting()), errors: inputs.errors, strict: false });
const seconds = Number(process.hrtime.bigint() - inProcess) / 1e9;
rmSync(dir, { recursive: true, force: true });

process.stdout.write(
  [
    '| check | documents | wall time | documents/s |',
    '| --- | --- | --- | --- |',
    `| built CLI, one process (goal < 3 s) | ${documents} | ${wall.toFixed(2)} s | ${Math.round(documents / wall).toLocaleString('en')} |`,
    `| in-process: read, route, decide, report | ${inputs.manifests.length} | ${seconds.toFixed(2)} s | ${Math.round(inputs.manifests.length / seconds).toLocaleString('en')} |`,
    '',
  ].join('\n'),
);
