// `check --output policyreport` parses as the wgpolicyk8s.io/v1alpha2 types: the PolicyReport and
// ClusterPolicyReport CRDs are applied (e2e/helpers.ts), and the API server's structural schema and
// strict field validation judge what check writes, and refuse a report that is not of the type.
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { run } from '../../test/helpers/cli.js';
import { installPolicyReportCrds, kubectl, kubectlOk, namespace } from '../helpers.js';
import { repoRoot } from '../paths.js';

/** A denied, a warned and a clean object in namespace reports, a Service in default, a Namespace. */
const fixture = join(repoRoot, 'test', 'fixtures', 'policy-report', 'apps.yaml');

interface Report {
  kind: string;
  metadata: { name: string; namespace?: string };
  summary: Record<string, number>;
  results: Array<Record<string, unknown>>;
}

t.before(async () => {
  await installPolicyReportCrds();
  await namespace('reports');
});

async function checkReports(t: Test): Promise<{ text: string; reports: Report[] }> {
  const checked = await run(['check', '-f', fixture, '--output', 'policyreport']);
  t.equal(checked.code, 1, checked.stderr);
  return {
    text: checked.stdout,
    reports: parseAllDocuments(checked.stdout).map((document) => document.toJS() as Report),
  };
}

t.test('the API server stores the reports check writes for denied, warned and clean objects as they are', async (t) => {
  const { text, reports } = await checkReports(t);
  t.same(
    reports.map((report) => report.kind),
    ['ClusterPolicyReport', 'PolicyReport', 'PolicyReport'],
  );
  t.match(reports[1]?.results, [{ result: 'fail' }], 'the DaemonSet fails');
  for (const status of ['fail', 'warn', 'pass'])
    t.ok(
      reports[1]?.results.some((result) => result.result === status),
      `a ${status} result`,
    );

  const applied = await kubectl(['apply', '-f', '-'], { input: text });
  t.equal(applied.code, 0, applied.stderr);
  for (const report of reports) {
    const where = report.metadata.namespace ? ['-n', report.metadata.namespace] : [];
    const stored = JSON.parse(
      await kubectlOk(['get', report.kind, report.metadata.name, ...where, '-o', 'json']),
    ) as Report;
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
    [
      'a count that is not a number',
      { ...namespaced, summary: { ...namespaced.summary, pass: 'many' as unknown as number } },
      /summary\.pass: Invalid value: "string"/,
    ],
    [
      'a result outside pass, fail, warn, error, skip',
      { ...namespaced, results: [{ ...first, result: 'audit' }, ...rest] },
      /results\[0\]\.result: Unsupported value: "audit"/,
    ],
    [
      'a field the type does not have',
      { ...namespaced, results: [{ ...first, colour: 'red' }, ...rest] },
      /unknown field "results\[0\]\.colour"/,
    ],
  ];
  for (const [what, report, refusal] of broken) {
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: JSON.stringify(report) });
    t.not(result.code, 0, `${what}: refused`);
    t.match(result.stderr, refusal, what);
  }
});
