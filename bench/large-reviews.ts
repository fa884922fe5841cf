// Peak RSS of `eci-admission serve` under 8 concurrent 7.9 MiB reviews, retried on 429 as the
// API server retries: the figure deploy/'s memory request and limit are set from. Bounded: a few
// rounds, loopback only. `node dist/bench/large-reviews.js [path/to/cli.js]` prints one JSON line.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';
import { pod, reviewFor } from '../test/helpers/objects.js';

const cli = process.argv[2] ?? fileURLToPath(new URL('../lib/cli.js', import.meta.url));
const concurrent = 8;
const rounds = 3;
const targetBytes = 7.9 * 2 ** 20;

/** Many small objects: the shape that costs the most heap per byte once parsed (env entries). */
function largeReview(): string {
  const env = [];
  let size = 0;
  for (let i = 0; size < targetBytes - 2048; i++) {
    const entry = { name: `VARIABLE_${i}`, value: `value-${i}-${'x'.repeat(24)}` };
    size += JSON.stringify(entry).length + 1;
    env.push(entry);
  }
  return JSON.stringify(reviewFor(pod({ containers: [{ name: 'app', image: 'nginx', env }] })));
}

/** VmHWM: the most resident memory the process has had. */
async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)![1]) / 1024;
}

const certDir = join(await mkdtemp(join(tmpdir(), 'eci-large-')), 'certs');
const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--host', '127.0.0.1', '--cert-dir', certDir], {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, KUBECONFIG: '', LOG_LEVEL: 'info' },
});
const url = await new Promise<string>((resolve) => {
  let log = '';
  child.stdout.on('data', (chunk) => {
    log += chunk;
    const match = /listening on (https:\/\/[^"]+)"/.exec(log);
    if (match) resolve(match[1]!);
  });
});
child.stdout.resume();
const idle = await peakRssMiB(child.pid!);
const body = largeReview();
const agent = new Agent({ connect: { rejectUnauthorized: false }, connections: concurrent });
const tally = { answered: 0, tooMany: 0, other: 0 };
const send = async (): Promise<void> => {
  for (let attempt = 0; attempt < 200; attempt++) {
    const response = await request(`${url}/validate`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
    });
    await response.body.dump();
    if (response.statusCode !== 429) {
      tally[response.statusCode === 200 ? 'answered' : 'other']++;
      return;
    }
    tally.tooMany++;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
const started = Date.now();
for (let round = 0; round < rounds; round++) await Promise.all(Array.from({ length: concurrent }, send));
const peak = await peakRssMiB(child.pid!);
process.stdout.write(
  `${JSON.stringify({ reviewMiB: +(body.length / 2 ** 20).toFixed(2), concurrent, rounds, ...tally, idleMiB: +idle.toFixed(0), peakRssMiB: +peak.toFixed(0), seconds: (Date.now() - started) / 1000 })}\n`,
);
await agent.close();
child.kill('SIGTERM');
