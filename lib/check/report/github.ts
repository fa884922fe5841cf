// GitHub Actions workflow commands: `::error file=F,line=L,title=T::message`, shown on the diff.
import { formatFinding } from '../../policy/findings.js';
import { lines, objectName, type Report } from './report.js';

export function githubReport(report: Report): string {
  const findings = lines(report).map(({ result, finding, level }) =>
    command(
      level === 'note' ? 'notice' : level,
      { file: result.manifest.file, line: finding.line, title: `eci-admission ${finding.rule}` },
      `${objectName(result)}: ${formatFinding(finding)}`,
    ),
  );
  const errors = report.errors.map((error) => {
    // An unreadable file has no line: the annotation goes on the file.
    const place = { file: error.file, ...(error.line > 0 ? { line: error.line } : {}) };
    return command('error', { ...place, title: 'eci-admission input' }, error.message);
  });
  return [...findings, ...errors, ''].join('\n');
}

function command(name: string, properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties).map(([key, value]) => `${key}=${escapeProperty(String(value))}`);
  return `::${name} ${props.join(',')}::${escapeData(message)}`;
}

/** The runner's own escaping rules for a command's message and its properties. */
function escapeData(text: string): string {
  return text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C');
}
