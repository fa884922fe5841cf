// `serve --background-scan` as the install runs it: the webhook's ServiceAccount without the
// component's RBAC fails each pass on one log line and keeps answering; with deploy/background-scan's
// RBAC applied, the next pass writes the PolicyReport of what already runs, and /metrics reads it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1ObjectReference } from '@kubernetes/client-node';
import t from 'tap';
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
import { requireState } from '../state.js';
import { restartWebhook, webhookCounter, webhookGet } from '../webhook.js';

const ns = 'background-scan';
const rbac = join(repoRoot, 'deploy', 'background-scan', 'rbac.yaml');
const passes = 'eci_admission_background_scan_passes_total';

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

t.test('background scan', async (t) => {
  const args = requireState().webhook?.args ?? [];
  const webhook = await restartWebhook([...args, '--background-scan=2s']);
  t.teardown(async () => {
    await kubectl(['delete', '-f', rbac, '--ignore-not-found']);
    await restartWebhook(args);
    await kubectl([
      'delete',
      'policyreports,clusterpolicyreports',
      '-A',
      '-l',
      'app.kubernetes.io/managed-by=eci-admission',
    ]);
  });

  t.test(
    'without the RBAC of deploy/background-scan: one log line a pass, and the webhook keeps answering',
    async (t) => {
      await waitFor(
        'a failed pass',
        async () => (await webhookCounter(webhook.port, passes, 'result="error"')) >= 1,
        60_000,
        webhook,
      );
      const failed = readFileSync(webhook.log, 'utf8')
        .split('\n')
        .filter((line) => line.includes('background scan failed'))
        .map((line) => (JSON.parse(line) as { msg: string }).msg);
      t.match(failed.at(-1), /^background scan failed: cannot list \S+ in every namespace: 403 .*forbidden/);
      t.equal((await webhookGet(webhook.port, '/readyz')).status, 200, 'still ready');
      const refused = await kubectlObjects(['apply', '--dry-run=server'], {
        ...hostPathed,
        metadata: { name: 'more-logs', namespace: ns },
      });
      t.equal(refused.code, 1, 'the webhook still judges what is applied');
      t.match(refused.stderr, /hostPath/);
    },
  );

  t.test('with it: the next pass writes the PolicyReport, and /metrics reads the pass', async (t) => {
    await kubectlOk(['apply', '-f', rbac]);
    await waitFor(
      'a completed pass',
      async () => (await webhookCounter(webhook.port, passes, 'result="ok"')) >= 1,
      60_000,
      webhook,
    );
    const report = JSON.parse(
      await kubectlOk(['get', 'policyreport', 'eci-admission', '-n', ns, '-o', 'json']),
    ) as Report;
    const failed = (report.results ?? [])
      .filter((result) => result.result === 'fail')
      .flatMap((result) => (result.resources ?? []).map((resource) => `${resource.kind}/${resource.name}`));
    t.ok(failed.includes('Deployment/logs'), `fail results name the hostPath Deployment: ${failed.join(', ')}`);
    const { body } = await webhookGet(webhook.port, '/metrics');
    const value = (series: string) =>
      Number(/ (\S+)$/.exec(body.split('\n').find((line) => line.startsWith(`${series} `)) ?? '')?.[1]);
    t.ok(value('eci_admission_background_scan_objects') >= 1, 'objects of the last pass');
    t.ok(value('eci_admission_background_scan_findings{severity="deny"}') >= 1, 'its denials');
    t.ok(value('eci_admission_background_scan_last_end_timestamp_seconds') > Date.now() / 1000 - 120, 'it ended now');
  });
});
