// A finding is one thing ECI cannot run, said so a user can fix it without reading our code.

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

/** `<rule-id>: <field path> (<name>): <what is wrong>; <workaround>` (DESIGN.md section 3). */
export function formatFinding(finding: Finding): string {
  const where = finding.subject ? `${finding.path} (${finding.subject})` : finding.path;
  return `${finding.rule}: ${where}: ${finding.message}; ${finding.workaround}`;
}

/** The status message of a denial: every finding, one per line, so kubectl shows them all. */
export function denialMessage(kind: string, findings: readonly Finding[]): string {
  const lines = findings.map((finding) => `- ${formatFinding(finding)}`);
  return [`this ${kind} uses what Elastic Container Instance (ECI) cannot run:`, ...lines].join('\n');
}
