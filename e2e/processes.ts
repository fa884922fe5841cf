// The cluster's processes outlive `e2e:up`: each runs detached, its output in a log file, and is
// stopped later by its PID (checked against its command line, so a reused PID is never killed).
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { logDir } from './paths.js';

export interface Started {
  readonly name: string;
  readonly pid: number;
  readonly log: string;
  /** A word of the command line that identifies the process (its binary or script). */
  readonly marker: string;
}

export function startDetached(
  name: string,
  command: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Started {
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, `${name}.log`);
  const out = openSync(log, 'a');
  const child = spawn(command, args, { detached: true, stdio: ['ignore', out, out], env: { ...process.env, ...env } });
  if (child.pid === undefined) throw new Error(`cannot start ${command}`);
  child.unref();
  return { name, pid: child.pid, log, marker: command };
}

export function isRunning(target: Pick<Started, 'pid' | 'marker'>): boolean {
  try {
    const cmdline = readFileSync(`/proc/${target.pid}/cmdline`, 'utf8');
    // Empty while the process is between programs (nsenter exec'ing the webhook) and once it is a
    // zombie: alive unless its state says Z.
    if (cmdline === '') return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${target.pid}/stat`, 'utf8'));
    return cmdline.split('\0').some((word) => word === target.marker);
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if it is still there after the grace period. */
export async function stop(started: Started, graceMs = 10_000): Promise<boolean> {
  if (!isRunning(started)) return false;
  process.kill(started.pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isRunning(started) && Date.now() < deadline) await sleep(100);
  if (isRunning(started)) process.kill(started.pid, 'SIGKILL');
  while (isRunning(started)) await sleep(50);
  return true;
}

/** Polls until `ready` resolves true; fails with the last reason and the log's tail. */
export async function waitFor(
  what: string,
  ready: () => Promise<boolean | string>,
  timeoutMs: number,
  started?: Started,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: boolean | string = false;
  while (Date.now() < deadline) {
    if (started && !isRunning(started))
      throw new Error(`${started.name} exited while waiting for ${what}:\n${tail(started.log)}`);
    last = await ready().catch((error: Error) => error.message);
    if (last === true) return;
    await sleep(250);
  }
  throw new Error(
    `timed out after ${timeoutMs / 1000} s waiting for ${what}${typeof last === 'string' ? `: ${last}` : ''}${started ? `\n${tail(started.log)}` : ''}`,
  );
}

function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Stops a process and starts it again with the same command line and environment, as a restart of
 * a static pod does (the fault tests restart kube-apiserver and etcd so); its log goes on.
 */
export async function restart(started: Started): Promise<Started> {
  const [command, ...args] = readFileSync(`/proc/${started.pid}/cmdline`, 'utf8').split('\0').slice(0, -1);
  await stop(started);
  const again = startDetached(started.name, command!, args);
  return { ...again, marker: started.marker };
}
