// `npm run lint` (after Biome and knip): no line of the TypeScript under the given directories
// (lib/ by default) is over 120 characters. Biome's formatter wraps code to that width but leaves
// a long string, template or comment as it is, so this is what keeps those within it too. A comment
// line that is a URL alone is let through: a source cited by address cannot be wrapped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const maxChars = 120;
const urlAlone = /^\s*(?:\/\/|\*)\s*https?:\/\/\S+$/;

const directories = process.argv.length > 2 ? process.argv.slice(2) : ['lib'];
const long = directories.flatMap(longLines);
for (const line of long) process.stderr.write(`${line}\n`);
process.exitCode = long.length === 0 ? 0 : 1;

/** `file:line: N characters` for each line over the width in the .ts files under a directory. */
function longLines(directory: string): string[] {
  const files = readdirSync(directory, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return files.sort().flatMap((file) =>
    readFileSync(join(directory, file), 'utf8')
      .split('\n')
      .flatMap((text, index) =>
        text.length > maxChars && !urlAlone.test(text)
          ? [`${join(directory, file)}:${index + 1}: ${text.length} characters`]
          : [],
      ),
  );
}
