// JUnit XML for CI test tabs: one testcase per object, one failure per finding, one error per
// input that could not be read. Built with fast-xml-parser, which escapes.
import { projectName } from '../../facts.js';
import { XMLBuilder } from 'fast-xml-parser';
import { formatFinding } from '../../policy/findings.js';
import { whereOf } from '../inputs.js';
import { lines, objectName, summarize, type Report } from './report.js';

const builder = new XMLBuilder({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  format: true,
  suppressEmptyNode: true,
});

export function junitReport(report: Report): string {
  const failures = lines(report).filter((line) => line.level === 'error');
  const cases = report.results.map((result) => ({
    '@classname': result.manifest.file,
    '@name': `${objectName(result)} (line ${result.manifest.line})`,
    ...(result.verdict === 'skipped' ? { skipped: { '@message': 'not sent to eci-admission in the cluster' } } : {}),
    failure: failures
      .filter((line) => line.result === result)
      .map(({ finding }) => ({
        '@message': formatFinding(finding),
        '@type': finding.rule,
        '#text': `${result.manifest.file}:${finding.line}: ${formatFinding(finding)}`,
      })),
  }));
  const errorCases = report.errors.map((error) => ({
    '@classname': error.file,
    '@name': whereOf(error),
    error: { '@message': error.message, '#text': error.message },
  }));
  const summary = summarize(report);
  const suite = {
    '@name': 'eci-admission check',
    '@tests': cases.length + errorCases.length,
    '@failures': new Set(failures.map((line) => line.result)).size,
    '@errors': summary.errors,
    '@skipped': summary.skipped,
    testcase: [...cases, ...errorCases],
  };
  const xml = builder.build({ testsuites: { '@name': projectName, testsuite: suite } });
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}`;
}
