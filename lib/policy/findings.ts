// A finding is one thing ECI cannot run, said so a user can fix it without reading our code.
import type { Severity } from '../violation.js';

export interface Finding {
  /** Stable rule id, e.g. `host-path`. */
  readonly rule: string;
  /** Field path in the submitted object, e.g. `spec.template.spec.volumes[0].hostPath`. */
  readonly path: string;
  /** The named item at that path (a volume or container name), when it has one. */
  readonly subject?: string;
  readonly message: string;
  readonly workaround: string;
}

/** A finding and whether it denies or warns. */
export interface SeveredFinding extends Finding {
  readonly severity: Severity;
}

/** `<rule-id>: <field path> (<name>): <what is wrong>; <workaround>`: what a denial and `check` print. */
export function formatFinding(finding: Finding): string {
  return `${headline(finding)}; ${finding.workaround}`;
}

/** The API server recommends warnings under 120 characters; kubectl prints each on one line. */
export const maxWarningLength = 120;

/** A finding as a response warning: the rule, where and what, cut to 120 characters. */
export function warningOf(finding: Finding): string {
  const text = headline(finding);
  return text.length <= maxWarningLength ? text : `${text.slice(0, maxWarningLength - 1)}…`;
}

function headline(finding: Finding): string {
  const where = finding.subject ? `${finding.path} (${finding.subject})` : finding.path;
  return `${finding.rule}: ${where}: ${finding.message}`;
}

/**
 * Findings (or warnings) one response carries at most. A DaemonSet with 10,000 hostPath volumes
 * has 10,000 findings: said whole, a 1.8 MB answer that no one reads past the first screen.
 */
export const maxFindingsShown = 20;

/** The first `maxFindingsShown` lines, and one saying how many more there are. */
export function capped(lines: readonly string[]): string[] {
  if (lines.length <= maxFindingsShown) return [...lines];
  return [...lines.slice(0, maxFindingsShown), `and ${lines.length - maxFindingsShown} more`];
}

/** The status message of a denial: a finding per line (the first 20, then how many more). */
export function denialMessage(kind: string, findings: readonly Finding[]): string {
  const lines = capped(findings.map((finding) => `- ${formatFinding(finding)}`));
  return [`this ${kind} uses what Elastic Container Instance (ECI) cannot run:`, ...lines].join('\n');
}
