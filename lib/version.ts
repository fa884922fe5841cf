// The version of this package, as package.json says: read once, when a command or the server
// starts. This file is compiled to dist/lib/version.js, two folders below package.json.
import { readFileSync } from 'node:fs';

export const version: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
