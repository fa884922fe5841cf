// Which generated regions live in which document: `npm run docs` rewrites them, and a test fails
// when one differs from what the code and the schemas generate.
import { readWebhookConfigurations } from '../lib/cluster/webhook-configurations.js';
import { policyDocs } from '../lib/policies/docs.js';
import { defaultPolicies } from '../lib/policies/manifests.js';
import { ruleDocs } from '../lib/rule-docs.js';
import { configDocs, schemaDocs } from '../lib/schema-docs.js';
import { specDocs } from '../lib/spec-docs.js';

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
