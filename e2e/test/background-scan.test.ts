// `serve --background-scan` as the install runs it: the webhook's ServiceAccount without the
// component's RBAC cannot take the scan's Lease, so no pass runs, on one log line, and the webhook
// keeps answering; with deploy/background-scan's RBAC applied, the replica takes the Lease and its
// next pass writes the PolicyReport of what already runs, and /metrics reads it. With two
// replicas one holds the Lease and scans; when it dies the other takes over within the lease's
// duration, and when it stops (SIGTERM) it releases the Lease at once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1ObjectReference } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { electionTiming } from '../../lib/cluster/leader-election.js';
import { backgroundScanLease, shutdown, webhookService } from '../../lib/facts.js';
import {
  deployment,
  installPolicyReportCrds,
  kubectl,
  kubectlObjects,
  kubectlOk,
  namespace,
  withoutWebhooks,
} from '../helpers.js';
import { repoRoot } from '../paths.js';
import { waitFor } from '../processes.js';
import type { WebhookState } from '../state.js';
import {
  restartWebhook,
  runningReplicas,
  startReplica,
  stopReplica,
  webhookArgs,
  webhookCounter,
  webhookGauge,
  webhookGet,
} from '../webhook.js';

const ns = 'background-scan';
const rbac = join(repoRoot, 'deploy', 'background-scan', 'rbac.yaml');
const passes = 'eci_admission_background_scan_passes_total';
const leader = 'eci_admission_background_scan_leader';
const { retryPeriodMs } = electionTiming;
const leaseDurationMs = electionTiming.leaseDurationSeconds * 1000;

const hostPathed = deployment('logs', ns, [{ name: 'logs', hostPath: { path: '/var/log' } }]);

interface Report {
  results?: Array<{ result: string; resources?: V1ObjectReference[] }>;
}

t.before(async () => {
  await installPolicyReportCrds();
  await namespace(ns);
});

t.test(
  'with the webhooks removed, a hostPath Deployment is created, as a cluster without eci-admission holds it',
  async (t) => {
    await withoutWebhooks(t);
    const created = await kubectlObjects(['apply'], hostPathed);
    t.equal(created.code, 0, created.stderr);
  },
);

/** The log lines of one replica (its log file is shared with earlier replicas on its address). */
function logLines(replica: WebhookState): Array<{ pid: number; msg: string; identity?: string }> {
  return readFileSync(replica.log, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { pid: number; msg: string; identity?: string })
    .filter((line) => line.pid === replica.pid);
}

/** The identity a replica's election runs under, from its log. */
function identityOf(replica: WebhookState): string {
  const identity = logLines(replica).find((line) => line.msg.startsWith('background scan:'))?.identity;
  if (!identity) throw new Error(`${replica.name} logged no election identity`);
  return identity;
}

async function leaseHolder(): Promise<string | undefined> {
  const got = await kubectl(['get', 'lease', backgroundScanLease, '-n', webhookService.namespace, '-o', 'json']);
  if (got.code !== 0) return undefined;
  return (JSON.parse(got.stdout) as { spec?: { holderIdentity?: string } }).spec?.holderIdentity || undefined;
}

/** Until exactly one of the replicas says it leads; that one. */
async function theLeader(replicas: readonly WebhookState[], timeoutMs: number): Promise<WebhookState> {
  let found: WebhookState | undefined;
  await waitFor(
    'exactly one replica to lead',
    async () => {
      const gauges = await Promise.all(replicas.map((replica) => webhookGauge(replica, leader)));
      const leading = replicas.filter((_, i) => gauges[i] === 1);
      found = leading.length === 1 ? leading[0] : undefined;
      return found !== undefined || `leader gauges ${gauges.join(', ')}`;
    },
    timeoutMs,
  );
  return found!;
}

/** Until `follower` leads, holding the Lease: how long it took from `since` (performance.now()). */
async function takeOver(t: Test, follower: WebhookState, since: number, timeoutMs: number): Promise<number> {
  await theLeader([follower], timeoutMs);
  const took = performance.now() - since;
  t.equal(await leaseHolder(), identityOf(follower), 'the Lease names the new leader');
  await waitFor('a pass by the new leader', async () => (await okPasses(follower)) >= 1, 30_000, follower);
  return took;
}

const okPasses = (replica: WebhookState) => webhookCounter(replica, passes, 'result="ok"');

t.test('background scan', async (t) => {
  const args = webhookArgs();
  const replicaCount = runningReplicas().length;
  const scanning = [...args, '--background-scan=2s'];
  const replicas = await restartWebhook(scanning);
  t.teardown(async () => {
    while (runningReplicas().length > Math.max(replicaCount, 1)) await stopReplica(runningReplicas().at(-1)!, 30_000);
    // Without the scan first: the replicas release the Lease while they still may.
    await restartWebhook(args);
    while (runningReplicas().length < replicaCount) await startReplica(args);
    await kubectl(['delete', '-f', rbac, '--ignore-not-found']);
    await kubectl(['delete', 'lease', backgroundScanLease, '-n', webhookService.namespace, '--ignore-not-found']);
    await kubectl([
      'delete',
      'policyreports,clusterpolicyreports',
      '-A',
      '-l',
      'app.kubernetes.io/managed-by=eci-admission',
    ]);
  });

  t.test(
    'without the RBAC of deploy/background-scan: no Lease, no pass, one log line, and the webhook keeps answering',
    async (t) => {
      const refusedLease = (line: { msg: string }) => line.msg.startsWith('leader election: cannot get Lease');
      for (const replica of replicas)
        await waitFor('the election to fail', async () => logLines(replica).some(refusedLease), 30_000, replica);
      // Several retry periods, and several scan intervals: still one line, and no pass.
      await sleep(4 * retryPeriodMs);
      for (const replica of replicas) {
        const refused = logLines(replica).filter(refusedLease);
        t.equal(refused.length, 1, `${replica.name}: one log line for the outage, not one per try`);
        t.match(refused[0]?.msg, /403 .*forbidden/);
        t.equal(await webhookCounter(replica, passes), 0, `${replica.name}: no pass ran`);
        t.equal(await webhookGauge(replica, leader), 0, `${replica.name}: it does not lead`);
        t.equal((await webhookGet(replica, '/readyz')).status, 200, `${replica.name}: still ready`);
      }
      const denied = await kubectlObjects(['apply', '--dry-run=server'], {
        ...hostPathed,
        metadata: { name: 'more-logs', namespace: ns },
      });
      t.equal(denied.code, 1, 'the webhook still judges what is applied');
      t.match(denied.stderr, /hostPath/);
    },
  );

  t.test(
    'with it: one replica takes the Lease, its next pass writes the PolicyReport, /metrics reads it',
    async (t) => {
      await kubectlOk(['apply', '-f', rbac]);
      const webhook = await theLeader(runningReplicas(), 60_000);
      await waitFor('a completed pass', async () => (await okPasses(webhook)) >= 1, 60_000, webhook);
      t.equal(await leaseHolder(), identityOf(webhook), 'the Lease names it');
      for (const other of runningReplicas().filter((replica) => replica.pid !== webhook.pid))
        t.equal(await webhookCounter(other, passes), 0, `${other.name} follows and runs no pass`);
      const report = JSON.parse(
        await kubectlOk(['get', 'policyreport', 'eci-admission', '-n', ns, '-o', 'json']),
      ) as Report;
      const failed = (report.results ?? [])
        .filter((result) => result.result === 'fail')
        .flatMap((result) => (result.resources ?? []).map((resource) => `${resource.kind}/${resource.name}`));
      t.ok(failed.includes('Deployment/logs'), `fail results name the hostPath Deployment: ${failed.join(', ')}`);
      t.ok((await webhookGauge(webhook, 'eci_admission_background_scan_objects')) >= 1, 'objects of the last pass');
      t.ok(
        (await webhookGauge(webhook, 'eci_admission_background_scan_findings{severity="deny"}')) >= 1,
        'its denials',
      );
      const ended = await webhookGauge(webhook, 'eci_admission_background_scan_last_end_timestamp_seconds');
      t.ok(ended > Date.now() / 1000 - 120, 'it ended now');
    },
  );

  t.test('two replicas: one scans; the other takes over when it is killed, and when it stops', async (t) => {
    while (runningReplicas().length < 2) await startReplica(scanning);
    const first = await theLeader(runningReplicas(), 30_000);
    const follower = runningReplicas().find((replica) => replica.pid !== first.pid)!;
    const leaderPasses = await okPasses(first);
    // Several scan intervals: the leader goes on scanning, the other never starts.
    await sleep(4 * retryPeriodMs);
    t.ok((await okPasses(first)) > leaderPasses, 'the leader goes on scanning');
    t.equal(await webhookCounter(follower, passes), 0, 'the other replica runs no pass');
    t.equal(await webhookGauge(follower, leader), 0, 'and does not lead');

    // Killed: the Lease is not released, and is taken once its record has not changed for its duration.
    const killedAt = performance.now();
    process.kill(first.pid, 'SIGKILL');
    const afterKill = await takeOver(t, follower, killedAt, leaseDurationMs + 2 * retryPeriodMs);
    t.comment(`killed leader: the other replica led ${Math.round(afterKill)} ms after the SIGKILL`);
    t.ok(afterKill <= leaseDurationMs + 2 * retryPeriodMs, 'within the lease duration and a retry period');

    // Stopped: released at the SIGTERM, taken at the other's next try, while the stopping replica
    // still answers reviews for its shutdown delay.
    const next = await startReplica(scanning);
    const stoppedAt = performance.now();
    const stopped = stopReplica(follower, 60_000);
    const afterStop = await takeOver(t, next, stoppedAt, leaseDurationMs + 2 * retryPeriodMs);
    await stopped;
    t.comment(`stopped leader: the other replica led ${Math.round(afterStop)} ms after the SIGTERM`);
    t.ok(afterStop < shutdown.delayMs, 'before the stopping replica has even closed its listener');
    t.ok(
      logLines(follower).some((line) => line.msg.startsWith('leader election: stopped leading and released')),
      'the stopping leader released the Lease',
    );
  });
});
