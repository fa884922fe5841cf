// The README's annotation reference is generated from the schema files and must stay in sync.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { schemaDocs, withSchemaDocs } from '../lib/schema-docs.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

t.test('README matches the schemas (run `npm run docs` after changing a schema)', async (t) => {
  t.equal(withSchemaDocs(readme, schemaDocs()), readme);
});

t.test('every ECI annotation key of the schema is in the README with its allowed values', async (t) => {
  const docs = schemaDocs();
  t.match(docs, /\| `k8s\.aliyun\.com\/eci-spot-strategy` \| `SpotAsPriceGo`, `SpotWithPriceLimit` \| `SpotAsPriceGo` \|/);
  t.match(docs, /\| `spec\.units\[\]\.resource` \| `idc`, `ecs`, `eci` \|/);
  t.match(docs, /`network\.alibabacloud\.com\/allocated-\*`/);
});
