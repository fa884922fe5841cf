// The JSON Schemas in schemas/ are data shipped beside the code; they are read once at start-up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** schemas/ of this package: this file is compiled to dist/lib/schemas.js. */
export const schemasDir = fileURLToPath(new URL('../../schemas/', import.meta.url));

export type JsonSchema = Record<string, unknown>;

export function readSchema(name: string, dir: string = schemasDir): JsonSchema {
  return JSON.parse(readFileSync(join(dir, `${name}.schema.json`), 'utf8')) as JsonSchema;
}
