// The version of this package, as package.json says: read once, when a command or the server
// starts.
import { readFileSync } from 'node:fs';
import { packagePath } from './facts.js';

export const version: string = (JSON.parse(readFileSync(packagePath('package.json'), 'utf8')) as { version: string })
  .version;
