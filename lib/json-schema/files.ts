// The JSON Schemas in schemas/ are data shipped beside the code; they are read once at start-up.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packagePath } from '../facts.js';

export const schemasDir = packagePath('schemas/');

export type JsonSchema = Record<string, unknown>;

export function readSchema(name: string, dir: string = schemasDir): JsonSchema {
  return JSON.parse(readFileSync(join(dir, `${name}.schema.json`), 'utf8')) as JsonSchema;
}
