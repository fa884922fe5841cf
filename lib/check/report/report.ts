// What a check run found, independent of how it is printed, and the exit code it earns.
import type { CheckResult } from '../check.js';
import type { InputError, LocatedFinding } from '../inputs.js';
import { qualifiedName } from '../namespaces.js';

export const outputs = ['text', 'json', 'junit', 'github', 'sarif', 'policyreport'] as const;
export type Output = (typeof outputs)[number];

/** What `scan` writes: a cluster's objects have no file lines for junit or github annotations. */
export const scanOutputs = ['text', 'json', 'policyreport', 'sarif'] as const satisfies readonly Output[];
export type ScanOutput = (typeof scanOutputs)[number];

export interface Report {
  readonly results: readonly CheckResult[];
  readonly errors: readonly InputError[];
  /** Warnings fail the run too: each is an error, and its object is denied (`strictly`). */
  readonly strict: boolean;
}

/** The report of a run, `--strict` applied. */
export function reportOf(results: readonly CheckResult[], errors: readonly InputError[], strict: boolean): Report {
  return { results: strict ? results.map(strictly) : results, errors, strict };
}

/**
 * Under --strict a warning fails the object as a denial does, so the summary and the verdicts say
 * denied where the lines say error; with --mode warn, what enforce would deny is denied again.
 */
function strictly(result: CheckResult): CheckResult {
  return result.warnings.length > 0 ? { ...result, verdict: 'denied' } : result;
}

export interface Summary {
  readonly objects: number;
  readonly admitted: number;
  readonly denied: number;
  readonly skipped: number;
  readonly warnings: number;
  readonly audited: number;
  readonly errors: number;
}

export function summarize(report: Report): Summary {
  const count = (verdict: CheckResult['verdict']) =>
    report.results.filter((result) => result.verdict === verdict).length;
  return {
    objects: report.results.length,
    admitted: count('admitted'),
    denied: count('denied'),
    skipped: count('skipped'),
    warnings: report.results.reduce((sum, result) => sum + result.warnings.length, 0),
    audited: report.results.reduce((sum, result) => sum + result.audited.length, 0),
    errors: report.errors.length,
  };
}

/** 2 when some input could not be read (the result is incomplete), 1 on a denial, else 0. */
export function exitCode(report: Report): 0 | 1 | 2 {
  const summary = summarize(report);
  if (summary.errors > 0) return 2;
  return summary.denied > 0 ? 1 : 0;
}

/** How a line of the report counts, in SARIF's words; `note`: a finding audit mode records, which never fails a run. */
export type ReportLevel = 'error' | 'warning' | 'note';

export interface Line {
  readonly result: CheckResult;
  readonly finding: LocatedFinding;
  readonly level: ReportLevel;
}

/** Every finding of the run, denials first, then warnings and audited ones, within an object in input order. */
export function lines(report: Report): Line[] {
  return report.results.flatMap((result) => [
    ...result.findings.map((finding) => ({ result, finding, level: 'error' as const })),
    ...result.warnings.map((finding) => ({
      result,
      finding,
      level: report.strict ? ('error' as const) : ('warning' as const),
    })),
    ...result.audited.map((finding) => ({ result, finding, level: 'note' as const })),
  ]);
}

/** `Deployment/shop/web`, as kubectl names objects. */
export function objectName(result: CheckResult): string {
  return qualifiedName(result.manifest.object.kind, result.namespace, result.name);
}
