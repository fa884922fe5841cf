// `npm run docs`: rewrite the generated regions of docs/: the rule table from the rule registry,
// ECI's specifications, the annotation reference and the config file's keys from the schema
// files (docs/reference.md), and what the admission policies cover (docs/policies.md).
import { readFileSync, writeFileSync } from 'node:fs';
import { packagePath } from '../lib/facts.js';
import { withGenerated } from '../lib/docs/regions.js';
import { generatedDocuments } from './generated-docs.js';

for (const { file, regions } of generatedDocuments()) {
  const path = packagePath(file);
  writeFileSync(path, regions.reduce(withGenerated, readFileSync(path, 'utf8')));
  process.stdout.write(`updated ${file}\n`);
}
