// `npm run e2e:up [-- --cluster-mode hybrid] [--profile FILE] [-- serve flags...]`: builds what is
// missing, then starts a whole cluster on 127.0.0.1 (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler, a virtual node and an ordinary node) and eci-admission, and leaves them running.
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureBinaries } from './binaries.js';
import { startComponents } from './components.js';
import { startControlPlane } from './control-plane.js';
import { stopCluster } from './down.js';
import { kubectlOk } from './kubectl.js';
import { adminKubeconfig, installDir, logDir } from './paths.js';
import { writeState } from './state.js';
import { portFree, waitFor } from './processes.js';
import { startWebhook, webhookPort, writeWebhookKubeconfig } from './webhook.js';

const log = (line: string) => process.stdout.write(`e2e: ${line}\n`);

export interface UpOptions {
  readonly clusterMode: string;
  /** An eci-profile ConfigMap applied to kube-system once the webhook judges it. */
  readonly profile?: string;
  readonly serveArgs: readonly string[];
}

export async function up(options: UpOptions): Promise<void> {
  const stopped = await stopCluster();
  if (stopped.length > 0) log(`stopped the previous run's ${stopped.join(', ')}`);
  writeState({});
  // A new cluster, new logs (a run's restarts of the webhook append to its log).
  rmSync(logDir, { recursive: true, force: true });
  const binaries = await ensureBinaries(log);
  // The webhook's URL is fixed by e2e/local-webhooks: one e2e cluster at a time per machine.
  const port = await webhookPort();
  if (!(await portFree(port))) log(`waiting for 127.0.0.1:${port}: another e2e cluster on this machine still uses it`);
  await waitFor(`127.0.0.1:${port} to be free`, () => portFree(port), 600_000);
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
  // What an operator applies: deploy/ with its registration component, webhooks by local URL.
  await kubectlOk(['apply', '-k', installDir]);
  await writeWebhookKubeconfig(plane.server, plane.caCert);
  const webhook = await startWebhook([`--cluster-mode=${options.clusterMode}`, ...options.serveArgs]);
  log(
    `eci-admission serve (pid ${webhook.pid}) on https://127.0.0.1:${webhook.port}, as the eci-admission ServiceAccount`,
  );
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
    options: { 'cluster-mode': { type: 'string' }, profile: { type: 'string' } },
  });
  const profile = values.profile ?? process.env.E2E_PROFILE;
  try {
    await up({
      clusterMode: values['cluster-mode'] ?? process.env.E2E_CLUSTER_MODE ?? 'serverless',
      ...(profile ? { profile } : {}),
      serveArgs: positionals,
    });
  } catch (error) {
    process.stderr.write(`e2e: ${(error as Error).message}\n`);
    await stopCluster();
    process.exitCode = 1;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
