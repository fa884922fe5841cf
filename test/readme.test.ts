// The README's rule table and annotation reference are generated from the rule registry and the
// schema files, and must stay in sync.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { rules } from '../lib/policy/rules/index.js';
import { ruleDocs } from '../lib/rule-docs.js';
import { schemaDocs, withGenerated } from '../lib/schema-docs.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('README matches the schemas (run `npm run docs` after changing a schema)', async (t) => {
  t.equal(withGenerated(readme, schemaDocs()), readme);
});

t.test('README matches the rule registry (run `npm run docs` after changing a rule)', async (t) => {
  t.equal(withGenerated(readme, ruleDocs()), readme);
  for (const rule of rules) t.match(readme, `| \`${rule.id}\` | ${rule.summary} |`, `${rule.id} has its row`);
});

t.test('every ECI annotation key of the schema is in the README with its allowed values', async (t) => {
  const docs = schemaDocs();
  t.match(docs, /\| `k8s\.aliyun\.com\/eci-spot-strategy` \| `SpotAsPriceGo`, `SpotWithPriceLimit` \| `SpotAsPriceGo` \|/);
  t.match(docs, /\| `spec\.units\[\]\.resource` \| `idc`, `ecs`, `eci` \|/);
  t.match(docs, /`network\.alibabacloud\.com\/allocated-\*`/);
});
