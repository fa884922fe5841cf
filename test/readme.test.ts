// The README's rule table and annotation reference are generated from the rule registry and the
// schema files, and must stay in sync.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { readWebhookConfigurations } from '../lib/cluster/webhook-configurations.js';
import { policyDocs } from '../lib/policies/docs.js';
import { defaultPolicies } from '../lib/policies/manifests.js';
import { rules } from '../lib/policy/rules/index.js';
import { ruleDocs } from '../lib/rule-docs.js';
import { configDocs, schemaDocs, withGenerated } from '../lib/schema-docs.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('README matches the schemas (run `npm run docs` after changing a schema)', async (t) => {
  t.equal(withGenerated(readme, schemaDocs()), readme);
});

t.test('README lists the config file\'s keys from its schema (run `npm run docs` after changing it)', async (t) => {
  t.equal(withGenerated(readme, configDocs()), readme);
  t.match(configDocs(), /\| `exemptNamespaces` \| `--exempt-namespace` \| a list of strings \| `\[\]` \|/);
  t.match(configDocs(), /\| `mode` \| `--mode` \| `enforce`, `warn`, `audit` \| `enforce` \|/);
});

t.test('README matches the rule registry (run `npm run docs` after changing a rule)', async (t) => {
  t.equal(withGenerated(readme, ruleDocs()), readme);
  for (const rule of rules) t.match(readme, `| \`${rule.id}\` | ${rule.summary} |`, `${rule.id} has its row`);
});

t.test('README says what the admission policies cover (run `npm run docs` after changing a rule)', async (t) => {
  const docs = policyDocs(defaultPolicies(readWebhookConfigurations()));
  t.equal(withGenerated(readme, docs), readme);
  t.match(docs, /`eci-admission-host-path`/);
  t.match(docs, /`resource-policy`: /);
});

t.test('every ECI annotation key of the schema is in the README with its allowed values', async (t) => {
  const docs = schemaDocs();
  t.match(docs, /\| `k8s\.aliyun\.com\/eci-spot-strategy` \| `SpotAsPriceGo`, `SpotWithPriceLimit` \| `SpotAsPriceGo` \|/);
  t.match(docs, /\| `spec\.units\[\]\.resource` \| `idc`, `ecs`, `eci` \|/);
  t.match(docs, /`network\.alibabacloud\.com\/allocated-\*`/);
});
