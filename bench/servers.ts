// The servers under load run in child processes, so the load generator does not share their
// event loop: eci-admission as its CLI runs it, and the ceiling.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Operation } from 'fast-json-patch';
import { Agent, request } from 'undici';
import type { AdmissionReview } from '../lib/admission/review.js';

export interface BenchServer {
  readonly url: string;
  stop(): Promise<void>;
}

const built = (path: string) => fileURLToPath(new URL(path, import.meta.url));

/** A command prefix for the server process, such as `taskset -c 1` (see pinning.ts). */
export type Prefix = readonly string[];

export function startWebhook(certDir: string, profile: string, prefix: Prefix = []): Promise<BenchServer> {
  // Logging at info, as deployed: one line per review, to /dev/null rather than to our pipe.
  return start(
    built('../lib/cli.js'),
    (port) => ['serve', '--port', port, '--host', '127.0.0.1', '--cert-dir', certDir, '--profile', profile],
    { LOG_LEVEL: 'info' },
    prefix,
  );
}

/** The ceiling over HTTP/1.1, or offering HTTP/2 too (`h2`). */
export function startCeiling(
  certDir: string,
  prefix: Prefix = [],
  protocol: 'http/1.1' | 'h2' = 'http/1.1',
): Promise<BenchServer> {
  return start(built('./ceiling.js'), (port) => [port, certDir, ...(protocol === 'h2' ? ['h2'] : [])], {}, prefix);
}

async function start(
  script: string,
  args: (port: string) => string[],
  env: NodeJS.ProcessEnv,
  prefix: Prefix,
): Promise<BenchServer> {
  const port = await freePort();
  const [command, ...options] = [...prefix, process.execPath, script, ...args(String(port))];
  const child = spawn(command!, options, {
    stdio: ['ignore', openSync('/dev/null', 'w'), 'inherit'],
    env: { ...process.env, KUBECONFIG: '', ...env },
  });
  const url = `https://127.0.0.1:${port}`;
  await waitForHealth(url, child);
  return { url, stop: () => stop(child) };
}

/** The JSON Patch /mutate answers for `body`: what the API server would apply before /validate. */
export async function patchOf(url: string, body: string): Promise<Operation[]> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    const response = await request(url, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
      dispatcher: agent,
    });
    const { response: answer } = (await response.body.json()) as AdmissionReview;
    return answer?.patch ? (JSON.parse(Buffer.from(answer.patch, 'base64').toString()) as Operation[]) : [];
  } finally {
    await agent.close();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const agent = new Agent({ connect: { rejectUnauthorized: false } });
  try {
    for (let attempt = 0; attempt < 300; attempt++) {
      if (child.exitCode !== null) throw new Error(`${url}: the server exited ${child.exitCode}`);
      try {
        const response = await request(`${url}/healthz`, { dispatcher: agent });
        await response.body.dump();
        if (response.statusCode === 200) return;
      } catch {
        // Not listening yet.
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${url}: not healthy after 30 s`);
  } finally {
    await agent.close();
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
