// `npm run lint` fails on what it is there to catch: each of its three tools, run as the script
// runs it and with this repository's configuration, on a small project in a temporary directory.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { packagePath } from '../lib/facts.js';

const root = packagePath('.');
const lineWidth = join(root, 'dist/tools/line-width.js');

/** The exit code and output of a tool of node_modules/.bin, or of node, run in `cwd`. */
function run(command: string, args: readonly string[], cwd: string): { code: number | null; output: string } {
  const bin = command === 'node' ? process.execPath : join(root, 'node_modules/.bin', command);
  const result = spawnSync(bin, args, { cwd, encoding: 'utf8' });
  return { code: result.status, output: `${result.stdout}${result.stderr}` };
}

/** The Biome configuration without git: .tap/, where the temporary projects are, is in .gitignore. */
function biomeConfig(): string {
  const config = readFileSync(join(root, 'biome.jsonc'), 'utf8');
  const gitFree = config.replace('"vcs": { "enabled": true', '"vcs": { "enabled": false');
  if (gitFree === config) throw new Error('biome.jsonc no longer reads "vcs": { "enabled": true');
  return gitFree;
}

const formatted = "export function greeting(name: string): string {\n  return 'hello, ' + name;\n}\n";

t.test('Biome fails on a line the formatter would change, and passes it once formatted', async (t) => {
  const misformatted = formatted.replace("  return 'hello, ' + name;", "    return 'hello, '+name");
  for (const [source, expected] of [
    [formatted, 0],
    [misformatted, 1],
  ] as const) {
    const dir = t.testdir({ 'biome.jsonc': biomeConfig(), lib: { 'greeting.ts': source } });
    const { code, output } = run('biome', ['ci', '--colors=off', '--error-on-warnings', '.'], dir);
    t.equal(code, expected, `exit ${expected}`, { output });
  }
});

t.test('knip fails on an export nothing imports, and passes once something does', async (t) => {
  const project = (cli: string) => ({
    'package.json': JSON.stringify({ name: 'fixture', type: 'module', bin: { fixture: 'dist/lib/cli.js' } }),
    'tsconfig.json': JSON.stringify({ compilerOptions: { rootDir: '.', outDir: 'dist', module: 'NodeNext' } }),
    'knip.jsonc': readFileSync(join(root, 'knip.jsonc'), 'utf8'),
    lib: {
      'cli.ts': cli,
      'words.ts': "export const hello = 'hello';\nexport const goodbye = 'goodbye';\n",
    },
  });
  const used = run(
    'knip',
    [],
    t.testdir(project("import { goodbye, hello } from './words.js';\nconsole.log(hello, goodbye);\n")),
  );
  t.equal(used.code, 0, 'every export imported', { output: used.output });
  const unused = run('knip', [], t.testdir(project("import { hello } from './words.js';\nconsole.log(hello);\n")));
  t.equal(unused.code, 1, 'one export unused', { output: unused.output });
  t.match(unused.output, /Unused exports \(1\)\s+goodbye\s+lib\/words\.ts:2/);
});

t.test(
  'the line check fails on a line of 121 characters and names it, and passes one of 120 and a comment line that is a URL alone',
  async (t) => {
    const comment = (chars: number) => `// ${'x'.repeat(chars - 3)}\n`;
    const url = `//   https://example.com/${'x'.repeat(100)}\n`;
    const long = run(
      'node',
      [lineWidth],
      t.testdir({ lib: { 'a.ts': comment(120), nested: { 'b.ts': comment(121) } } }),
    );
    t.equal(long.code, 1);
    t.equal(long.output, 'lib/nested/b.ts:1: 121 characters\n');
    const short = run(
      'node',
      [lineWidth],
      t.testdir({ lib: { 'a.ts': comment(120), nested: { 'b.ts': comment(120) + url } } }),
    );
    t.equal(short.code, 0, 'no line over 120', { output: short.output });
  },
);
