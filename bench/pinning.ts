// Where the machine allows, the load generator and the server under load run on different cores:
// on a shared core each would take its time from the other and the figures would measure both.
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';

export interface Pinning {
  /** The command prefix that runs a server on its own core ([] when not pinned). */
  readonly server: readonly string[];
  /** How the run was placed, for the report. */
  readonly description: string;
}

/** Pins this process (the load generator) to every core but the last, and servers to the last. */
export function pinLoadGenerator(): Pinning {
  const cores = availableParallelism();
  if (cores < 2 || !runs('taskset', ['-V']))
    return { server: [], description: 'not pinned (needs 2 cores and taskset)' };
  const last = cores - 1;
  const others = last === 1 ? '0' : `0-${last - 1}`;
  execFileSync('taskset', ['-cp', others, String(process.pid)], { stdio: 'ignore' });
  return {
    server: ['taskset', '-c', String(last)],
    description: `load generator on core ${others}, server on core ${last}`,
  };
}

/** Whether a command of the machine's is there and answers (a tool the bench can do without). */
export function runs(command: string, args: readonly string[]): boolean {
  try {
    execFileSync(command, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
