// `check --output policyreport` parses as the wgpolicyk8s.io/v1alpha2 types: the PolicyReport and
// ClusterPolicyReport CRDs of sigs.k8s.io/wg-policy-prototypes (the version e2e/policyreport/go.mod
// pins, read from the Go module cache) are applied, and the API server's structural schema and
// strict field validation judge what check writes, and refuse a report that is not of the type.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import t, { type Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { run } from '../../test/helpers/cli.js';
import { kubectl, kubectlOk, namespace } from '../helpers.js';
import { e2eModuleDir, repoRoot } from '../paths.js';

const module = 'sigs.k8s.io/wg-policy-prototypes';

/** Where the module's files are: `go mod download` checks them against e2e/policyreport/go.sum. */
async function moduleDir(): Promise<string> {
  const { stdout } = await promisify(execFile)('go', ['mod', 'download', '-json', module], { cwd: join(e2eModuleDir, 'policyreport') });
  return (JSON.parse(stdout) as { Dir: string }).Dir;
}

/** A denied, a warned and a clean object in namespace reports, a Service in default, a Namespace. */
const fixture = join(repoRoot, 'test', 'fixtures', 'policy-report', 'apps.yaml');

interface Report {
  kind: string;
  metadata: { name: string; namespace?: string };
  summary: Record<string, number>;
  results: Array<Record<string, unknown>>;
}

t.before(async () => {
  const crds = join(await moduleDir(), 'policy-report', 'crd', 'v1alpha2');
  await kubectlOk(['apply', '-f', crds]);
  await kubectlOk(['wait', '--for=condition=Established', '--timeout=60s', 'crd/policyreports.wgpolicyk8s.io', 'crd/clusterpolicyreports.wgpolicyk8s.io']);
  await namespace('reports');
});

async function checkReports(t: Test): Promise<{ text: string; reports: Report[] }> {
  const checked = await run(['check', '-f', fixture, '--output', 'policyreport']);
  t.equal(checked.code, 1, checked.stderr);
  return { text: checked.stdout, reports: parseAllDocuments(checked.stdout).map((document) => document.toJS() as Report) };
}

t.test('the API server stores the reports check writes for denied, warned and clean objects as they are', async (t) => {
  const { text, reports } = await checkReports(t);
  t.same(reports.map((report) => report.kind), ['ClusterPolicyReport', 'PolicyReport', 'PolicyReport']);
  t.match(reports[1]?.results, [{ result: 'fail' }], 'the DaemonSet fails');
  for (const status of ['fail', 'warn', 'pass']) t.ok(reports[1]?.results.some((result) => result.result === status), `a ${status} result`);

  const applied = await kubectl(['apply', '-f', '-'], { input: text });
  t.equal(applied.code, 0, applied.stderr);
  for (const report of reports) {
    const where = report.metadata.namespace ? ['-n', report.metadata.namespace] : [];
    const stored = JSON.parse(await kubectlOk(['get', report.kind, report.metadata.name, ...where, '-o', 'json'])) as Report;
    // Whatever the schema did not know would have been pruned: nothing is.
    t.same(stored.results, report.results, `${report.kind}: every result as written`);
    t.same(stored.summary, report.summary, `${report.kind}: the summary`);
  }
});

t.test('the same API server refuses a report that is not of the type', async (t) => {
  const { reports } = await checkReports(t);
  const namespaced = reports.find((report) => report.kind === 'PolicyReport')!;
  const [first, ...rest] = namespaced.results;
  const broken: Array<[string, Report, RegExp]> = [
    ['a count that is not a number', { ...namespaced, summary: { ...namespaced.summary, pass: 'many' as unknown as number } }, /summary\.pass: Invalid value: "string"/],
    ['a result outside pass, fail, warn, error, skip', { ...namespaced, results: [{ ...first, result: 'audit' }, ...rest] }, /results\[0\]\.result: Unsupported value: "audit"/],
    ['a field the type does not have', { ...namespaced, results: [{ ...first, colour: 'red' }, ...rest] }, /unknown field "results\[0\]\.colour"/],
  ];
  for (const [what, report, refusal] of broken) {
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(report) });
    t.not(result.code, 0, `${what}: refused`);
    t.match(result.stderr, refusal, what);
  }
});
