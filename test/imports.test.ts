// The module graph of lib/: no module imports anything that imports it back (type imports
// included), and the profile is data the core reads: lib/profile imports nothing of lib/policy.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const lib = fileURLToPath(new URL('../../lib/', import.meta.url));

/** Each source file of lib/ and the lib/ files it imports or re-exports from, relative to lib/. */
function moduleGraph(): Map<string, string[]> {
  const files = readdirSync(lib, { recursive: true, encoding: 'utf8' }).filter((file) => file.endsWith('.ts'));
  return new Map(
    files.map((file) => {
      const text = readFileSync(join(lib, file), 'utf8');
      const specifiers = [...text.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s+'(\.{1,2}\/[^']+)'/gm)].map(
        (match) => match[1]!,
      );
      return [
        file,
        specifiers.map((specifier) =>
          relative(lib, resolve(dirname(join(lib, file)), specifier.replace(/\.js$/, '.ts'))),
        ),
      ];
    }),
  );
}

/** A path of imports that comes back to where it started, or undefined. */
function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const done = new Set<string>();
  const visit = (file: string, path: string[]): string[] | undefined => {
    if (path.includes(file)) return [...path.slice(path.indexOf(file)), file];
    if (done.has(file) || !graph.has(file)) return undefined;
    for (const next of graph.get(file)!) {
      const cycle = visit(next, [...path, file]);
      if (cycle) return cycle;
    }
    done.add(file);
    return undefined;
  };
  for (const file of graph.keys()) {
    const cycle = visit(file, []);
    if (cycle) return cycle;
  }
  return undefined;
}

t.test('the import graph is found, and has no cycle', async (t) => {
  const graph = moduleGraph();
  t.ok(graph.get('policy/decide.ts')?.includes('policy/placement.ts'), 'reads imports');
  t.same(
    findCycle(
      new Map([
        ['a.ts', ['b.ts']],
        ['b.ts', ['a.ts']],
      ]),
    ),
    ['a.ts', 'b.ts', 'a.ts'],
    'finds a cycle when there is one',
  );
  t.equal(findCycle(graph)?.join(' -> '), undefined);
});

t.test('lib/profile imports nothing of lib/policy', async (t) => {
  const graph = moduleGraph();
  const upward = [...graph].flatMap(([file, imports]) =>
    file.startsWith('profile/') ? imports.filter((i) => i.startsWith('policy/')).map((i) => `${file} -> ${i}`) : [],
  );
  t.same(upward, []);
});
