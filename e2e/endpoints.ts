// The stand-in for two parts of a cluster that the e2e run does not have: the kubelet's readiness
// probe of each webhook pod and the EndpointSlice controller. A detached process started by e2e:up:
// once a period it probes every replica recorded in .e2e/state.json and, when the answer changes,
// writes the Service's EndpointSlice: a replica is a ready endpoint while its probe answers 200
// within the timeout, not ready when it answers otherwise or not at all (stopped, frozen), and
// gone once its process has exited, as a deleted pod's endpoint is.
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { publishEndpoints, type PublishedEndpoint } from './endpoint-slice.js';
import { isRunning } from './processes.js';
import { readState, type WebhookState } from './state.js';
import { replicaPort, webhookGet } from './webhook.js';

/** A kubelet probe with periodSeconds 1 and timeoutSeconds 1 (its default), failureThreshold 1. */
export const probePeriodMs = 1_000;
const probeTimeoutMs = 1_000;

async function probe(replica: WebhookState): Promise<PublishedEndpoint> {
  const answer = webhookGet(replica, replica.readyPath).then(
    ({ status }) => status === 200,
    () => false,
  );
  const ready = await Promise.race([answer, sleep(probeTimeoutMs, false)]);
  return { address: replica.address, ready };
}

async function main(): Promise<void> {
  let published = '';
  for (;;) {
    const replicas = (readState()?.webhooks ?? []).filter(isRunning);
    const endpoints = await Promise.all(replicas.map(probe));
    const now = JSON.stringify(endpoints);
    if (now !== published) {
      try {
        await publishEndpoints(endpoints, replicas[0]?.port ?? replicaPort);
        published = now;
        process.stdout.write(`${new Date().toISOString()} endpoints ${now}\n`);
      } catch (error) {
        // The API server restarting: the next period tries again, as the controller would.
        process.stdout.write(`${new Date().toISOString()} ${(error as Error).message}\n`);
      }
    }
    await sleep(probePeriodMs);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
