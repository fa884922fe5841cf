// `npm run e2e:down`: stops what e2e:up started, by PID, and removes nothing.
import { fileURLToPath } from 'node:url';
import { stop } from './processes.js';
import { readState } from './state.js';

/** Stops the webhooks, the nodes and controllers, then the API server, then etcd; returns the names of those that ran. */
export async function stopCluster(): Promise<string[]> {
  const state = readState();
  if (!state) return [];
  const stopped: string[] = [];
  const {
    peer,
    webhooks = [],
    endpoints,
    virtualNode,
    ordinaryNode,
    scheduler,
    controllerManager,
    apiserver,
    etcd,
  } = state;
  // The replicas at once (each waits out its shutdown delay), then the rest in order.
  const replicas = await Promise.all(webhooks.map(async (replica) => ((await stop(replica)) ? [replica] : [])));
  for (const replica of replicas.flat()) stopped.push(`${replica.name} (pid ${replica.pid})`);
  for (const started of [peer, endpoints, virtualNode, ordinaryNode, scheduler, controllerManager, apiserver, etcd]) {
    if (started && (await stop(started))) stopped.push(`${started.name} (pid ${started.pid})`);
  }
  return stopped;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const stopped = await stopCluster();
  process.stdout.write(stopped.length > 0 ? `e2e: stopped ${stopped.join(', ')}\n` : 'e2e: nothing was running\n');
}
