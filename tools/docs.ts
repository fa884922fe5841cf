// `npm run docs`: rewrite the generated reference in README.md from the schema files.
import { readFileSync, writeFileSync } from 'node:fs';
import { schemaDocs, withSchemaDocs } from '../lib/schema-docs.js';

const readme = fileURLToReadme();
writeFileSync(readme, withSchemaDocs(readFileSync(readme, 'utf8'), schemaDocs()));
process.stdout.write(`updated ${readme}\n`);

/** README.md of this package: this file is compiled to dist/tools/docs.js. */
function fileURLToReadme(): URL {
  return new URL('../../README.md', import.meta.url);
}
