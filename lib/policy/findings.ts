// A finding is one thing ECI cannot run, said so a user can fix it without reading our code.
import type { Severity } from '../schema/types.js';

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

/** `<rule-id>: <field path> (<name>): <what is wrong>; <workaround>` (DESIGN.md section 3). */
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

/** The status message of a denial: every finding, one per line, so kubectl shows them all. */
export function denialMessage(kind: string, findings: readonly Finding[]): string {
  const lines = findings.map((finding) => `- ${formatFinding(finding)}`);
  return [`this ${kind} uses what Elastic Container Instance (ECI) cannot run:`, ...lines].join('\n');
}
