// Machine-readable output; its shape is schemas/check-report.schema.json.
import { summarize, type Report } from './report.js';

export const reportVersion = 1;

export function jsonReport(report: Report): string {
  const objects = report.results.map((result) => ({
    file: result.manifest.file,
    line: result.manifest.line,
    apiVersion: result.manifest.object.apiVersion,
    kind: result.manifest.object.kind,
    // None for a cluster-scoped object, as the API server stores it.
    ...(result.namespace === undefined ? {} : { namespace: result.namespace }),
    name: result.name,
    verdict: result.verdict,
    findings: [
      ...result.findings.map((finding) => ({ ...finding, severity: 'deny' })),
      ...result.warnings.map((finding) => ({ ...finding, severity: 'warn' })),
      ...result.audited.map((finding) => ({ ...finding, severity: 'audit' })),
    ],
    patch: result.patch,
  }));
  const document = { version: reportVersion, summary: summarize(report), objects, errors: report.errors };
  return `${JSON.stringify(document, null, 2)}\n`;
}
