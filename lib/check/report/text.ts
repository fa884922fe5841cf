// The default output: one line per finding, errors of input, then a summary.
import { counted } from '../../plural.js';
import { formatFinding } from '../../policy/findings.js';
import { whereOf } from '../inputs.js';
import { lines, objectName, summarize, type Report, type ReportLevel, type Summary } from './report.js';

const colours = { error: '\u001b[31m', warning: '\u001b[33m', note: '\u001b[36m', reset: '\u001b[0m' } as const;
const labels = { error: 'error', warning: 'warning', note: 'audit' } as const;

export function textReport(report: Report, colour: boolean): string {
  const paint = (level: ReportLevel, text: string) => (colour ? `${colours[level]}${text}${colours.reset}` : text);
  const findings = lines(report).map(
    ({ result, finding, level }) =>
      `${result.manifest.file}:${finding.line} ${objectName(result)}` +
      ` ${paint(level, labels[level])} ${formatFinding(finding)}`,
  );
  const errors = report.errors.map((error) => `${whereOf(error)} ${paint('error', 'error')} ${error.message}`);
  return [...findings, ...errors, summaryLine(summarize(report)), ''].join('\n');
}

/** `2 objects: 1 admitted, 1 denied, 0 not sent to eci-admission; 1 warning; 0 input errors`. */
function summaryLine(s: Summary): string {
  const verdicts = `${s.admitted} admitted, ${s.denied} denied, ${s.skipped} not sent to eci-admission`;
  const audited = s.audited ? `${s.audited} audited; ` : '';
  const warnings = counted(s.warnings, 'warning');
  return `${counted(s.objects, 'object')}: ${verdicts}; ${warnings}; ${audited}${counted(s.errors, 'input error')}`;
}
