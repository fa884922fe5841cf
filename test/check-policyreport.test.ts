// `check --output policyreport`: wgpolicyk8s.io/v1alpha2 reports with Kyverno's CLI's results
// (fail, warn, pass per rule and object), one per namespace and one for the cluster scope, stamped
// with SOURCE_DATE_EPOCH. That the API server takes them as the type is e2e/test/policy-report.test.ts.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { rules } from '../lib/policy/rules/index.js';
import { run } from './helpers/cli.js';

interface Result {
  policy: string;
  rule: string;
  result: string;
  message: string;
  severity?: string;
  source: string;
  scored: boolean;
  timestamp: { seconds: number; nanos: number };
  resources?: Array<{ apiVersion: string; kind: string; name: string; namespace?: string }>;
  properties?: Record<string, string>;
}

interface PolicyReport {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  summary: Record<'pass' | 'fail' | 'warn' | 'error' | 'skip', number>;
  results: Result[];
}

/** The source folder: the fixtures are not compiled into dist/. */
const fixture = fileURLToPath(new URL('../../test/fixtures/policy-report/apps.yaml', import.meta.url));

const epoch = 1_700_000_000;

async function reports(files: readonly string[], ...flags: string[]) {
  const args = ['check', ...files.flatMap((file) => ['-f', file]), '--output', 'policyreport', ...flags];
  const result = await run(args, { env: { SOURCE_DATE_EPOCH: String(epoch) } });
  const documents = parseAllDocuments(result.stdout).map((document) => document.toJS() as PolicyReport);
  return {
    ...result,
    documents,
    named: (kind: string, namespace?: string) =>
      documents.find((d) => d.kind === kind && d.metadata.namespace === namespace),
  };
}

const of = (report: PolicyReport | undefined, kind: string, name: string) =>
  (report?.results ?? []).filter((result) => result.resources?.[0]?.kind === kind && result.resources[0].name === name);
const outcome = (results: readonly Result[]) =>
  Object.fromEntries(results.map((result) => [result.rule, result.result]));

t.test('denials fail, warnings warn, and every rule that judged an object and found nothing passes', async (t) => {
  const { code, documents, named, stdout } = await reports([fixture]);
  t.equal(code, 1, 'the denials fail the run, as with every output');
  t.same(
    documents.map((d) => [d.apiVersion, d.kind, d.metadata.name, d.metadata.namespace]),
    [
      ['wgpolicyk8s.io/v1alpha2', 'ClusterPolicyReport', 'eci-admission', undefined],
      ['wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'eci-admission', 'reports'],
      ['wgpolicyk8s.io/v1alpha2', 'PolicyReport', 'eci-admission', 'default'],
    ],
  );
  const ns = named('PolicyReport', 'reports');
  const podRules = rules.filter((rule) => rule.target === 'pod').map((rule) => rule.id);
  t.same(
    outcome(of(ns, 'Pod', 'clean')),
    Object.fromEntries(podRules.map((id) => [id, 'pass'])),
    'a clean pod passes every pod rule',
  );
  const agent = outcome(of(ns, 'DaemonSet', 'agent'));
  t.match(agent, { daemonset: 'fail', 'host-path': 'fail', capabilities: 'warn', privileged: 'pass' });
  const daemonSetRules = rules
    .filter((rule) => rule.target === 'pod' || rule.kinds.includes('apps/DaemonSet'))
    .map((rule) => rule.id);
  t.same(Object.keys(agent).sort(), daemonSetRules.sort(), 'one result per rule that judged it');
  t.match(outcome(of(named('PolicyReport', 'default'), 'Service', 'web')), {
    'node-port': 'fail',
    'session-affinity': 'pass',
  });

  const hostPath = of(ns, 'DaemonSet', 'agent').find((result) => result.rule === 'host-path');
  t.match(hostPath, {
    policy: 'eci-admission',
    source: 'eci-admission',
    severity: 'high',
    scored: true,
    message:
      /^host-path: spec\.template\.spec\.volumes\[0\]\.hostPath \(logs\): hostPath volumes are not supported on ECI; use an emptyDir/,
    timestamp: { seconds: epoch, nanos: 0 },
    resources: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', namespace: 'reports' }],
    properties: { file: fixture, line: '28', field: 'spec.template.spec.volumes[0].hostPath' },
  });
  for (const report of documents) {
    const count = (status: string) => report.results.filter((result) => result.result === status).length;
    t.same(
      report.summary,
      { pass: count('pass'), fail: count('fail'), warn: count('warn'), error: count('error'), skip: count('skip') },
      `${report.metadata.namespace}: the summary counts the results`,
    );
  }
  t.equal((await reports([fixture])).stdout, stdout, 'the same input and SOURCE_DATE_EPOCH make the same report');
});

t.test('audited findings fail (or warn) marked mode: audit; a rule switched off has no result', async (t) => {
  const { code, named } = await reports([fixture], '--mode', 'audit', '--disable-rule', 'daemonset');
  t.equal(code, 0, 'audit admits');
  const agent = of(named('PolicyReport', 'reports'), 'DaemonSet', 'agent');
  t.match(
    agent.find((result) => result.rule === 'host-path'),
    { result: 'fail', properties: { mode: 'audit' } },
  );
  t.match(
    agent.find((result) => result.rule === 'capabilities'),
    { result: 'warn', properties: { mode: 'audit' } },
  );
  t.equal(
    agent.find((result) => result.rule === 'daemonset'),
    undefined,
  );
  t.equal(
    of(named('PolicyReport', 'reports'), 'Pod', 'clean').find((result) => result.properties?.mode),
    undefined,
    'passes are not audited',
  );
});

t.test('cluster-scoped objects and unreadable input go in the ClusterPolicyReport', async (t) => {
  const broken = join(t.testdir({ 'broken.yaml': 'kind: [\n' }), 'broken.yaml');
  const { code, named } = await reports([fixture, broken]);
  t.equal(code, 2, 'unreadable input makes the run incomplete');
  const cluster = named('ClusterPolicyReport');
  t.match(cluster, { metadata: { name: 'eci-admission' }, summary: { pass: 0, fail: 0, warn: 1, error: 1 } });
  t.match(of(cluster, 'Namespace', 'reports'), [
    { rule: 'manifest', result: 'warn', resources: [{ kind: 'Namespace', name: 'reports', namespace: undefined }] },
  ]);
  t.match(
    cluster?.results.find((result) => result.result === 'error'),
    { resources: undefined, properties: { file: broken, line: /^\d+$/ } },
  );
});

t.test('SOURCE_DATE_EPOCH that is not a number of seconds is a usage error', async (t) => {
  const result = await run(['check', '-f', fixture, '--output', 'policyreport'], {
    env: { SOURCE_DATE_EPOCH: 'yesterday' },
  });
  t.equal(result.code, 2);
  t.match(result.stderr, 'SOURCE_DATE_EPOCH: not a number of seconds: yesterday');
});
