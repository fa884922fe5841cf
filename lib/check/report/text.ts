// The default output: one line per finding, errors of input, then a summary.
import { formatFinding } from '../../policy/findings.js';
import { lines, objectName, summarize, type Report, type Severity } from './report.js';

const colours = { error: '\u001b[31m', warning: '\u001b[33m', note: '\u001b[36m', reset: '\u001b[0m' } as const;
const labels = { error: 'error', warning: 'warning', note: 'audit' } as const;

export function textReport(report: Report, colour: boolean): string {
  const paint = (severity: Severity, text: string) => (colour ? `${colours[severity]}${text}${colours.reset}` : text);
  const findings = lines(report).map(
    ({ result, finding, severity }) =>
      `${result.manifest.file}:${finding.line} ${objectName(result)} ${paint(severity, labels[severity])} ${formatFinding(finding)}`,
  );
  const errors = report.errors.map((error) => `${error.file}:${error.line} ${paint('error', 'error')} ${error.message}`);
  const s = summarize(report);
  const summary = `${s.objects} objects: ${s.admitted} admitted, ${s.denied} denied, ${s.skipped} not sent to eci-admission; ${s.warnings} warnings; ${s.audited ? `${s.audited} audited; ` : ''}${s.errors} input errors`;
  return [...findings, ...errors, summary, ''].join('\n');
}
