// A scan's default output: what each namespace would face on ECI, then every finding as `check`
// prints them, named by object instead of file and line, then one line for the whole cluster.
import { formatFinding } from '../policy/findings.js';
import { counted } from '../plural.js';
import type { CheckResult } from '../check/check.js';
import { lines, objectName, summarize, type Report } from '../check/report/report.js';

const labels = { error: 'error', warning: 'warning', note: 'audit' } as const;

function namespaceLine(namespace: string, results: readonly CheckResult[]): string {
  const denied = results.filter((result) => result.verdict === 'denied').length;
  const warnings = results.reduce((sum, result) => sum + result.warnings.length, 0);
  return (
    `${namespace}: ${counted(results.length, 'object')}` +
    `, ${denied} would be denied, ${counted(warnings, 'warning')}`
  );
}

export function scanTextReport(report: Report): string {
  const byNamespace = new Map<string, CheckResult[]>();
  for (const result of report.results) {
    // The scan lists namespaced kinds only; a cluster-scoped object would be counted apart.
    const namespace = result.namespace ?? 'cluster-scoped';
    const group = byNamespace.get(namespace) ?? [];
    byNamespace.set(namespace, group);
    group.push(result);
  }
  const namespaces = [...byNamespace.keys()].sort();
  const perNamespace = namespaces.map((namespace) => namespaceLine(namespace, byNamespace.get(namespace) ?? []));
  const findings = lines(report).map(
    ({ result, finding, level }) => `${objectName(result)} ${labels[level]} ${formatFinding(finding)}`,
  );
  const errors = report.errors.map((error) => `${error.file} error ${error.message}`);
  const s = summarize(report);
  const total =
    `${counted(s.objects, 'object')} in ${counted(namespaces.length, 'namespace')}:` +
    ` ${s.admitted} can run on ECI, ${s.denied} would be denied, ` +
    `${s.skipped} not sent to eci-admission` +
    `; ${counted(s.warnings, 'warning')}; ${s.audited ? `${s.audited} audited; ` : ''}${counted(s.errors, 'error')}`;
  return [...perNamespace, ...(perNamespace.length ? [''] : []), ...findings, ...errors, total, ''].join('\n');
}
