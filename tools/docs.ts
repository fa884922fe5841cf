// `npm run docs`: rewrite the generated regions of README.md: the rule table from the rule
// registry, ECI's specifications, the annotation reference and the config file's keys from the schema files, and what the
// admission policies cover.
import { readFileSync, writeFileSync } from 'node:fs';
import { readWebhookConfigurations } from '../lib/cluster/webhook-configurations.js';
import { policyDocs } from '../lib/policies/docs.js';
import { defaultPolicies } from '../lib/policies/manifests.js';
import { ruleDocs } from '../lib/rule-docs.js';
import { configDocs, schemaDocs, withGenerated } from '../lib/schema-docs.js';
import { specDocs } from '../lib/spec-docs.js';

const readme = fileURLToReadme();
const docs = [
  ruleDocs(),
  specDocs(),
  schemaDocs(),
  configDocs(),
  policyDocs(defaultPolicies(readWebhookConfigurations())),
];
writeFileSync(readme, docs.reduce(withGenerated, readFileSync(readme, 'utf8')));
process.stdout.write(`updated ${readme}\n`);

/** README.md of this package: this file is compiled to dist/tools/docs.js. */
function fileURLToReadme(): URL {
  return new URL('../../README.md', import.meta.url);
}
