// The built `eci-admission` command, run as a user runs it: a subprocess with real files.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** dist/lib/cli.js: this helper is compiled to dist/test/helpers/cli.js. */
export const cli = fileURLToPath(new URL('../../lib/cli.js', import.meta.url));

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the command to its end, with `stdin` as its standard input. */
export function runCli(args: readonly string[], stdin = ''): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
