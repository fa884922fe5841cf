// Which generated regions live in which document: `npm run docs` rewrites them, and a test fails
// when one differs from what the code and the schemas generate.
import { readWebhookConfigurations } from '../lib/cluster/webhook-configurations.js';
import { policyDocs } from '../lib/docs/native-policies.js';
import { defaultPolicies } from '../lib/native-policies/manifests.js';
import { ruleDocs } from '../lib/docs/rules.js';
import { configDocs, schemaDocs } from '../lib/docs/schemas.js';
import { specDocs } from '../lib/docs/specs.js';

export interface GeneratedDocument {
  /** The path from the repository root. */
  readonly file: string;
  readonly regions: readonly string[];
}

export function generatedDocuments(): readonly GeneratedDocument[] {
  return [
    { file: 'docs/reference.md', regions: [ruleDocs(), specDocs(), schemaDocs(), configDocs()] },
    { file: 'docs/policies.md', regions: [policyDocs(defaultPolicies(readWebhookConfigurations()))] },
  ];
}
