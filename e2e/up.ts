// `npm run e2e:up [-- --cluster-mode hybrid] [--profile FILE] [--replicas N] [-- serve flags...]`:
// builds what is missing, then starts a whole cluster on 127.0.0.1 (etcd, kube-apiserver,
// kube-controller-manager, kube-scheduler, a virtual node and an ordinary node) and N replicas of
// eci-admission behind its Service (e2e/webhook.ts), and leaves them running. One e2e cluster at a
// time per machine: the replicas' network namespace and addresses are fixed (e2e/network.ts).
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBinaries } from './binaries.js';
import { startComponents } from './components.js';
import { startControlPlane } from './control-plane.js';
import { stopCluster } from './down.js';
import { kubectlOk } from './kubectl.js';
import { join } from 'node:path';
import { webhookService } from '../lib/facts.js';
import { adminKubeconfig, installDir, logDir, repoRoot } from './paths.js';
import { addToState, requireState, writeState } from './state.js';
import { startDetached, type Started } from './processes.js';
import { ensureReplicaNetwork, replicaNetns } from './network.js';
import { startWebhook, writeWebhookCertificates, writeWebhookKubeconfig } from './webhook.js';

const log = (line: string) => process.stdout.write(`e2e: ${line}\n`);

export interface UpOptions {
  readonly clusterMode: string;
  /** An eci-profile ConfigMap applied to kube-system once the webhook judges it. */
  readonly profile?: string;
  readonly serveArgs: readonly string[];
  /** How many replicas of the webhook run behind its Service. */
  readonly replicas: number;
}

export async function up(options: UpOptions): Promise<void> {
  const stopped = await stopCluster();
  if (stopped.length > 0) log(`stopped the previous run's ${stopped.join(', ')}`);
  writeState({});
  // A new cluster, new logs (a run's restarts of the webhook append to its log).
  rmSync(logDir, { recursive: true, force: true });
  const binaries = await ensureBinaries(log);
  await ensureReplicaNetwork();
  const plane = await startControlPlane(binaries);
  const version = JSON.parse(await kubectlOk(['version', '-o', 'json'])) as {
    serverVersion?: { gitVersion?: string; goVersion?: string };
  };
  log(
    `kube-apiserver ${version.serverVersion?.gitVersion} (${version.serverVersion?.goVersion}) and etcd ${binaries.etcd.version} on ${plane.server}`,
  );
  await startComponents(binaries, plane);
  log(
    `kube-controller-manager, kube-scheduler and the nodes ${(await kubectlOk(['get', 'nodes', '-o', 'jsonpath={.items[*].metadata.name}'])).trim()} ready`,
  );
  // What an operator applies: deploy/ with its registration component, unchanged.
  await kubectlOk(['apply', '-k', installDir]);
  writeWebhookCertificates();
  await writeWebhookKubeconfig(requireState().apiserver!.port, plane.caCert);
  addToState({ replicas: options.replicas, endpoints: startEndpoints() });
  const replicas = await startWebhook([`--cluster-mode=${options.clusterMode}`, ...options.serveArgs]);
  for (const replica of replicas) {
    log(
      `eci-admission serve (pid ${replica.pid}) on https://${replica.address}:${replica.port} in network namespace ${replicaNetns}, as the eci-admission ServiceAccount`,
    );
  }
  log(`the API server calls them through the Service ${webhookService.namespace}/${webhookService.name}`);
  if (options.profile) {
    await kubectlOk(['apply', '-n', 'kube-system', '-f', options.profile]);
    log(`applied the eci-profile ${options.profile}`);
  }
  log(`ready: export KUBECONFIG=${adminKubeconfig}`);
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    allowPositionals: true,
    options: { 'cluster-mode': { type: 'string' }, profile: { type: 'string' }, replicas: { type: 'string' } },
  });
  const profile = values.profile ?? process.env.E2E_PROFILE;
  try {
    await up({
      clusterMode: values['cluster-mode'] ?? process.env.E2E_CLUSTER_MODE ?? 'serverless',
      ...(profile ? { profile } : {}),
      serveArgs: positionals,
      replicas: replicasOf(values.replicas ?? process.env.E2E_REPLICAS ?? '1'),
    });
  } catch (error) {
    process.stderr.write(`e2e: ${(error as Error).message}\n`);
    await stopCluster();
    process.exitCode = 1;
  }
}

function replicasOf(value: string): number {
  const replicas = Number(value);
  if (!Number.isInteger(replicas) || replicas < 1 || replicas > 8) throw new Error(`--replicas: 1 to 8, not ${value}`);
  return replicas;
}

/** The EndpointSlice stand-in (e2e/endpoints.ts), detached like the cluster's processes. */
function startEndpoints(): Started {
  const script = join(repoRoot, 'dist', 'e2e', 'endpoints.js');
  return { ...startDetached('endpoints', process.execPath, [script]), marker: script };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
