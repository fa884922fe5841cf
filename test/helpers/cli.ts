// The built `eci-admission` command as a user runs it: a subprocess with real files.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Test } from 'tap';

/** dist/lib/cli.js: this helper is compiled to dist/test/helpers/cli.js. */
const cli = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Standard input; empty by default. */
  readonly stdin?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** The working directory; this process's by default. */
  readonly cwd?: string;
}

/** Runs the command to its end. */
export function run(args: readonly string[], options: RunOptions = {}): Promise<Run> {
  const child = spawn(process.execPath, [cli, ...args], {
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  return finished(child, options.stdin);
}

/** A failure as the CLI says one: one line on stderr, no stack trace, exit 2. */
export function oneLine(t: Test, result: Run, pattern: RegExp, what: string): void {
  t.equal(result.code, 2, `${what}: exit 2`);
  t.match(result.stderr, pattern, what);
  t.equal(result.stderr.trim().split('\n').length, 1, `${what}: one line, no stack trace (${result.stderr})`);
}

/** A child's output once it has exited, after writing `stdin` to it. */
export function finished(child: ChildProcessWithoutNullStreams, stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

export interface Served {
  readonly url: string;
  readonly log: () => string;
  /** Sends the signal (SIGTERM unless told); resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `serve` on a free loopback port and resolves once it says where it listens. It closes at
 * once when stopped (it has no Service to leave) unless `args` give a --shutdown-delay.
 */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Served> {
  return startServeAs(['--port', '0', '--host', '127.0.0.1', '--shutdown-delay', '0s', ...args], env, cwd);
}

/** Starts `serve` with these flags alone, as `npm start` does. */
export async function startServeAs(args: string[], env: NodeJS.ProcessEnv = {}, cwd?: string): Promise<Served> {
  const child = spawn(process.execPath, [cli, 'serve', ...args], {
    cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBECONFIG: '', ...env },
  });
  let log = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk) => {
      log += chunk;
      const match = /eci-admission listening on (https:\/\/[^"\s]+)/.exec(log);
      if (match) resolve(match[1]!);
    });
    void exited.then((code) => reject(new Error(`exited ${code}: ${log}`)));
  });
  return {
    url,
    log: () => log,
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}
