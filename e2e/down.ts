// `npm run e2e:down`: stops what e2e:up started, by PID, and removes nothing.
import { fileURLToPath } from 'node:url';
import { stop } from './processes.js';
import { readState } from './state.js';

/** Stops the webhooks, the nodes and controllers, then the API server, then etcd; returns the names of those that ran. */
export async function stopCluster(): Promise<string[]> {
  const state = readState();
  if (!state) return [];
  const stopped: string[] = [];
  const { peer, webhook, virtualNode, ordinaryNode, scheduler, controllerManager, apiserver, etcd } = state;
  for (const started of [peer, webhook, virtualNode, ordinaryNode, scheduler, controllerManager, apiserver, etcd]) {
    if (started && (await stop(started))) stopped.push(`${started.name} (pid ${started.pid})`);
  }
  return stopped;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stopped = await stopCluster();
  process.stdout.write(stopped.length > 0 ? `e2e: stopped ${stopped.join(', ')}\n` : 'e2e: nothing was running\n');
}
