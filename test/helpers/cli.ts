// The built `eci-admission` command as a subprocess, for tests that run it as a user would.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const cli = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));

export interface Served {
  readonly url: string;
  readonly log: () => string;
  stop(): Promise<number | null>;
}

/** Starts `serve` on a free loopback port and resolves once it says where it listens. */
export async function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--host', '127.0.0.1', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: '', ...env },
  });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      log += chunk;
      const match = /eci-admission listening on (https:\/\/[^"]+)"/.exec(log);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${log}`)));
  });
  return { url, log: () => log, stop: () => (child.kill('SIGTERM'), exited) };
}
