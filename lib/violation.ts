// The words the decision core and the profile share, below both: label maps and the offending
// fields a check reports. The profile is data the core reads; neither imports the other's types.

export type Labels = Readonly<Record<string, string>>;

export type Severity = 'deny' | 'warn';

/** One offending field. Message and workaround default to the rule's own. */
export interface Violation {
  readonly path: string;
  readonly subject?: string;
  readonly message?: string;
  readonly workaround?: string;
  readonly severity?: Severity;
}
