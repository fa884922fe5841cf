// `npm run e2e:down`: stops what e2e:up started, by PID, and removes nothing.
import { fileURLToPath } from 'node:url';
import { stop } from './processes.js';
import { readState } from './state.js';

/** Stops the webhooks, then the API server, then etcd; returns the names of those that ran. */
export async function stopCluster(): Promise<string[]> {
  const state = readState();
  if (!state) return [];
  const stopped: string[] = [];
  for (const started of [state.peer, state.webhook, state.apiserver, state.etcd]) {
    if (started && (await stop(started))) stopped.push(`${started.name} (pid ${started.pid})`);
  }
  return stopped;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stopped = await stopCluster();
  process.stdout.write(stopped.length > 0 ? `e2e: stopped ${stopped.join(', ')}\n` : 'e2e: nothing was running\n');
}
