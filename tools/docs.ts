// `npm run docs`: rewrite the generated regions of docs/: the rule table from the rule registry,
// ECI's specifications, the annotation reference and the config file's keys from the schema
// files (docs/reference.md), and what the admission policies cover (docs/policies.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { withGenerated } from '../lib/schema-docs.js';
import { generatedDocuments } from './generated-docs.js';

/** The repository root: this file is compiled to dist/tools/docs.js. */
const root = new URL('../../', import.meta.url);

for (const { file, regions } of generatedDocuments()) {
  const path = new URL(file, root);
  writeFileSync(path, regions.reduce(withGenerated, readFileSync(path, 'utf8')));
  process.stdout.write(`updated ${file}\n`);
}
