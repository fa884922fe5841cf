// SARIF 2.1.0 for GitHub code scanning (and any SARIF viewer): one run, the rule registry as the
// tool's rules with their help text, a result per finding located on its field's line.
import { projectName } from '../../facts.js';
import type { Log, ReportingDescriptor, Result } from 'sarif';
import { formatFinding } from '../../policy/findings.js';
import { registry } from '../../policy/rules/index.js';
import { lines, objectName, type Report } from './report.js';

const informationUri = 'https://github.com/eci-admission/eci-admission#what-it-checks';

export function sarifReport(report: Report): string {
  const results: Result[] = lines(report).map(({ result, finding, level }) => ({
    ruleId: finding.rule,
    level,
    message: { text: `${objectName(result)}: ${formatFinding(finding)}` },
    locations: [location(result.manifest.file, finding.line)],
  }));
  const log: Log = {
    version: '2.1.0',
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    runs: [
      {
        tool: { driver: { name: projectName, informationUri, rules: descriptors() } },
        results,
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            // Input that could not be read is the tool's trouble, not a finding of a rule.
            toolExecutionNotifications: report.errors.map((error) => ({
              level: 'error' as const,
              message: { text: error.message },
              locations: [location(error.file, error.line)],
            })),
          },
        ],
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

/** Every id of the registry: a finding carries no other. */
function descriptors(): ReportingDescriptor[] {
  return registry.map((rule) => ({
    id: rule.id,
    shortDescription: { text: `Denies ${rule.summary.replaceAll('`', '')}`, markdown: `Denies ${rule.summary}` },
    fullDescription: { text: `${rule.id}: ${rule.message}` },
    help: { text: `Instead: ${rule.workaround}.`, markdown: `Instead: ${rule.workaround}.` },
    helpUri: informationUri,
  }));
}

function location(file: string, line: number) {
  return {
    physicalLocation: {
      artifactLocation: { uri: file === '-' ? 'stdin' : encodeURI(file) },
      // SARIF lines start at 1; 0 means the whole file.
      ...(line > 0 ? { region: { startLine: line } } : {}),
    },
  };
}
