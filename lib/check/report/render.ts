// A report in the output asked for; only that output's module is imported.
import type { Output, Report } from './report.js';

/** A text run does not load the XML builder. */
export async function render(
  report: Report,
  output: Output,
  { colour, now }: { colour: boolean; now: Date },
): Promise<string> {
  switch (output) {
    case 'json':
      return (await import('./json.js')).jsonReport(report);
    case 'junit':
      return (await import('./junit.js')).junitReport(report);
    case 'github':
      return (await import('./github.js')).githubReport(report);
    case 'sarif':
      return (await import('./sarif.js')).sarifReport(report);
    case 'policyreport':
      return (await import('./policy-report.js')).policyReports(report, now);
    case 'text':
      return (await import('./text.js')).textReport(report, colour);
  }
}
