// The regression suite: manifests shaped like the workloads people run on ECI
// (test/fixtures/workloads), each with the verdict `check` must give and why.
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { run } from './helpers/cli.js';

/** The source folder: the fixtures are not compiled into dist/. */
const fixtures = fileURLToPath(new URL('../../test/fixtures/workloads/', import.meta.url));

interface Expected {
  readonly object: string;
  readonly verdict: 'admitted' | 'denied';
  /** Rule ids of the denials, then of the warnings, in report order. */
  readonly denials: readonly string[];
  readonly warnings: readonly string[];
  readonly reason: string;
}

const expected: readonly Expected[] = [
  {
    object: 'CronJob/batch/db-backup',
    verdict: 'admitted',
    denials: [],
    warnings: [],
    reason: 'a PVC and valid ECI annotations: nothing ECI cannot run',
  },
  {
    object: 'Job/batch/migrate',
    verdict: 'admitted',
    denials: [],
    warnings: ['billed-spec'],
    reason: 'a plain Job, billed as 0.5 vCPU, 1 GiB for its 512 MiB',
  },
  {
    object: 'Pod/default/s3-mounter',
    verdict: 'denied',
    denials: ['capabilities'],
    warnings: [],
    reason: 'SYS_ADMIN cannot be added on ECI',
  },
  {
    object: 'Pod/default/net-probe',
    verdict: 'admitted',
    denials: [],
    warnings: ['capabilities'],
    reason: 'NET_RAW needs Alibaba Cloud support to enable it',
  },
  {
    object: 'StatefulSet/data/cassandra',
    verdict: 'admitted',
    denials: [],
    warnings: ['capabilities'],
    reason: "IPC_LOCK is not in ECI's documentation: a warning, not a denial",
  },
  {
    object: 'StatefulSet/logging/elasticsearch',
    verdict: 'denied',
    denials: ['privileged'],
    warnings: [],
    reason: 'the privileged sysctl init container',
  },
  {
    object: 'Deployment/ingress/ingress-controller',
    verdict: 'admitted',
    denials: [],
    warnings: ['billed-spec', 'security-context'],
    reason:
      'NET_BIND_SERVICE is a runtime default: re-adding it changes nothing; billed as the smallest spec; allowPrivilegeEscalation is not applied',
  },
  {
    object: 'Deployment/monitoring/metrics-server',
    verdict: 'denied',
    denials: ['reserved-port'],
    warnings: ['security-context'],
    reason: 'port 10250 belongs to the ECI sandbox; readOnlyRootFilesystem is not applied',
  },
  {
    object: 'DaemonSet/monitoring/node-exporter',
    verdict: 'denied',
    denials: ['daemonset', 'host-path', 'host-path', 'host-network', 'host-pid', 'host-port'],
    warnings: [],
    reason: 'a node agent: DaemonSet, host namespaces and host paths',
  },
];

interface JsonReport {
  objects: Array<{
    kind: string;
    namespace: string;
    name: string;
    verdict: string;
    findings: Array<{ rule: string; severity: string }>;
  }>;
  errors: unknown[];
}

t.test('every workload of the regression suite gets its verdict, for its reason', async (t) => {
  const result = await run(['check', '-f', fixtures, '-o', 'json']);
  t.equal(result.code, 1, 'some are denied');
  const report = JSON.parse(result.stdout) as JsonReport;
  t.same(report.errors, []);
  const got = report.objects.map((object) => ({
    object: `${object.kind}/${object.namespace}/${object.name}`,
    verdict: object.verdict,
    denials: object.findings.filter((f) => f.severity === 'deny').map((f) => f.rule),
    warnings: object.findings.filter((f) => f.severity === 'warn').map((f) => f.rule),
  }));
  t.same(
    got,
    expected.map(({ reason: _reason, ...rest }) => rest),
  );
});
