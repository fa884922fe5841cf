// wgpolicyk8s.io/v1alpha2 policy reports, with the results Kyverno's CLI writes (`kyverno apply
// --policy-report`): per object, `fail` or `warn` for each finding and `pass` for each rule that
// judged it and found nothing. Kyverno's CLI groups reports by its policies' scope; ours is one
// cluster-wide policy, which would put everything in one ClusterPolicyReport. Grouped instead by
// the objects' namespaces, as Kyverno's in-cluster reports are, each report can be applied next to
// what it describes: a PolicyReport per namespace, a ClusterPolicyReport for cluster-scoped
// objects and for input that could not be read. Audited findings are `fail` (or `warn` for what
// would only warn), as Kyverno reports an Audit policy's violations, marked `mode: audit`.
import { projectName } from '../../facts.js';
import type { V1ObjectReference } from '@kubernetes/client-node';
import { stringify } from 'yaml';
import { formatFinding } from '../../policy/findings.js';
import type { CheckResult } from '../check.js';
import type { LocatedFinding } from '../inputs.js';
import type { Report } from './report.js';
import { unreadableFindings } from '../../policy/rules/index.js';

const apiVersion = 'wgpolicyk8s.io/v1alpha2';
const policy = projectName;
const category = 'Elastic Container Instance';

type Status = 'pass' | 'fail' | 'warn' | 'error' | 'skip';

interface PolicyReportResult {
  readonly policy: string;
  readonly rule: string;
  readonly result: Status;
  readonly message: string;
  readonly severity?: 'high' | 'medium';
  readonly category: string;
  readonly scored: boolean;
  readonly source: string;
  readonly timestamp: { readonly seconds: number; readonly nanos: number };
  readonly resources?: readonly V1ObjectReference[];
  readonly properties?: Readonly<Record<string, string>>;
}

/** The label every report carries: what `scan --apply-reports` replaces and deletes, and only that. */
export const managedBy = { 'app.kubernetes.io/managed-by': policy } as const;

export type PolicyReport = ReturnType<typeof reportOf>;

/** The reports, the ClusterPolicyReport first; `now` stamps every result. */
export function policyReportObjects(report: Report, now: Date): PolicyReport[] {
  const stamp = { seconds: Math.floor(now.getTime() / 1000), nanos: (now.getTime() % 1000) * 1_000_000 };
  const scoped = new Map<string, PolicyReportResult[]>();
  const add = (namespace: string, results: readonly PolicyReportResult[]) => {
    const held = scoped.get(namespace) ?? [];
    scoped.set(namespace, held);
    held.push(...results);
  };
  for (const result of report.results) add(scopeOf(result), resultsOf(result, stamp));
  add(
    '',
    report.errors.map((error) => {
      const properties = { file: error.file, ...(error.line > 0 ? { line: String(error.line) } : {}) };
      return { ...common(unreadableFindings.id, 'error', error.message, stamp), properties };
    }),
  );
  const documents = [...scoped]
    .filter(([, results]) => results.length > 0)
    .sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : 0));
  return documents.map(([namespace, results]) => reportOf(namespace, results));
}

/** The reports as YAML documents, the ClusterPolicyReport first. */
export function policyReports(report: Report, now: Date): string {
  // Written out whole: no YAML aliases for the results' shared timestamp and resources, no folded lines.
  return policyReportObjects(report, now)
    .map((document) => stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 }))
    .join('---\n');
}

/** The namespace whose PolicyReport holds an object's results; '' for the ClusterPolicyReport. */
function scopeOf(result: CheckResult): string {
  return result.namespace ?? '';
}

function reportOf(namespace: string, results: readonly PolicyReportResult[]) {
  const count = (status: Status) => results.filter((result) => result.result === status).length;
  return {
    apiVersion,
    kind: namespace === '' ? 'ClusterPolicyReport' : 'PolicyReport',
    metadata: { name: policy, ...(namespace === '' ? {} : { namespace }), labels: { ...managedBy } },
    summary: {
      pass: count('pass'),
      fail: count('fail'),
      warn: count('warn'),
      error: count('error'),
      skip: count('skip'),
    },
    results,
  };
}

type Stamp = PolicyReportResult['timestamp'];

function resultsOf(result: CheckResult, stamp: Stamp): PolicyReportResult[] {
  const resources = [reference(result)];
  const found = (finding: LocatedFinding, status: Status, audited: boolean) => ({
    ...common(finding.rule, finding.rule === unreadableFindings.id ? 'error' : status, formatFinding(finding), stamp),
    resources,
    properties: { ...fileOf(result, finding), field: finding.path, ...(audited ? { mode: 'audit' } : {}) },
  });
  const findings = [
    ...result.findings.map((finding) => found(finding, 'fail', false)),
    ...result.warnings.map((finding) => found(finding, 'warn', false)),
    ...result.audited.map((finding) => found(finding, finding.severity === 'deny' ? 'fail' : 'warn', true)),
  ];
  const ruled = new Set(findings.map((finding) => finding.rule));
  const passed = result.judged
    .filter((rule) => !ruled.has(rule))
    .map((rule) => ({ ...common(rule, 'pass', `rule ${rule} passed`, stamp), resources }));
  return [...findings, ...passed];
}

/** Where a manifest's finding is; an object read from a cluster has no file, its reference names it. */
function fileOf(result: CheckResult, finding: LocatedFinding): Record<string, string> {
  return result.manifest.line > 0 ? { file: result.manifest.file, line: String(finding.line) } : {};
}

function common(rule: string, result: Status, message: string, timestamp: Stamp): PolicyReportResult {
  return {
    policy,
    rule,
    result,
    message,
    ...(result === 'fail' || result === 'error'
      ? { severity: 'high' as const }
      : result === 'warn'
        ? { severity: 'medium' as const }
        : {}),
    category,
    scored: true,
    source: policy,
    timestamp,
  };
}

/** The object as an ObjectReference; offline it has no uid. */
function reference(result: CheckResult): V1ObjectReference {
  const { apiVersion: version, kind, metadata } = result.manifest.object;
  const namespace = scopeOf(result);
  const uid = metadata?.uid;
  return {
    apiVersion: version ?? '',
    kind: kind ?? '',
    name: result.name,
    ...(namespace === '' ? {} : { namespace }),
    ...(uid ? { uid } : {}),
  };
}
