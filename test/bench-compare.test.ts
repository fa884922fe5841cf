// `npm run bench:compare` as it runs: the built dist/bench/compare.js in a subprocess, on a results
// and a baseline file written for each case (better, within 25 %, more than 25 % worse, a figure on
// one side only, a file missing or not of figures, another machine), then on what writeResults
// writes and on the committed baseline. No timing is measured here.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import type { Figure } from '../bench/figures.js';
import { writeResults } from '../bench/report.js';
import { finished, oneLine, type Run } from './helpers/cli.js';

/** This test is compiled to dist/test/, the command to dist/bench/; the baseline is not compiled. */
const command = fileURLToPath(new URL('../bench/compare.js', import.meta.url));
const committedBaseline = fileURLToPath(new URL('../../bench/baseline.json', import.meta.url));

const machine = '2 × Test CPU, 24 GiB, Node v20.20.2, linux';

const compare = (...args: string[]): Promise<Run> => finished(spawn(process.execPath, [command, ...args]));

const ms = (id: string, value: number): Figure => ({ id, value, unit: 'ms', better: 'lower' });
const perSecond = (id: string, value: number): Figure => ({ id, value, unit: '/s', better: 'higher' });

interface Side {
  readonly figures: readonly Figure[];
  readonly machine?: string;
}

/** Writes the two files, as bench:cluster and the baseline hold them, and compares them. */
function compareSides(t: Test, baseline: Side, current: Side): Promise<Run> {
  const file = (side: Side, commit: string) => JSON.stringify({ commit, machine: side.machine ?? machine, ...side });
  const dir = t.testdir({ 'baseline.json': file(baseline, 'base'), 'results.json': file(current, 'head') });
  return compare(join(dir, 'results.json'), join(dir, 'baseline.json'));
}

/** A figure of both files: how it is made, its id, and its value in the baseline and in the results. */
type Pair = readonly [make: typeof ms, id: string, baseline: number, current: number];

function comparePairs(t: Test, pairs: readonly Pair[], currentMachine = machine): Promise<Run> {
  return compareSides(
    t,
    { figures: pairs.map(([make, id, value]) => make(id, value)) },
    { figures: pairs.map(([make, id, , value]) => make(id, value)), machine: currentMachine },
  );
}

/** The exit code, and each of `lines` a line printed. */
function expectTable(t: Test, run: Run, code: number, lines: readonly string[]): void {
  t.equal(run.code, code, run.stdout);
  const printed = run.stdout.split('\n');
  for (const line of lines) t.ok(printed.includes(line), line);
}

/** Each figure, with the row of the table it gets. */
const verdicts: ReadonlyArray<readonly [Pair, string]> = [
  [[ms, 'p50', 40, 30], '| p50 | 40 ms | 30 ms | 0.75 | better |'],
  [[perSecond, 'done', 50, 60], '| done | 50 /s | 60 /s | 1.20 | better |'],
  [[ms, 'p99', 40, 50], '| p99 | 40 ms | 50 ms | 1.25 | within 25 % |'],
  [[perSecond, 'served', 100, 80], '| served | 100 /s | 80 /s | 0.80 | within 25 % |'],
  [[ms, 'slower', 40, 51], '| slower | 40 ms | 51 ms | 1.27 | **more than 25 % worse** |'],
  [[perSecond, 'fewer', 100, 79], '| fewer | 100 /s | 79 /s | 0.79 | **more than 25 % worse** |'],
];
const pairsOf = (entries: typeof verdicts) => entries.map(([pair]) => pair);

t.test('better, or worse by 25 % at most, either way better goes: exit 0', async (t) => {
  const fine = verdicts.filter(([, row]) => !row.includes('more than 25 % worse'));
  const run = await comparePairs(t, pairsOf(fine));
  expectTable(t, run, 0, [...fine.map(([, row]) => row), '4 of 4 figures compared; none more than 25 % worse']);
  t.equal(run.stderr, '', 'the same machine: no warning');
});

t.test('more than 25 % worse, either way better goes: exit 1, naming the figures', async (t) => {
  const run = await comparePairs(t, pairsOf(verdicts));
  const summary = '6 of 6 figures compared; 2 more than 25 % worse: slower, fewer';
  expectTable(t, run, 1, [...verdicts.map(([, row]) => row), summary]);
});

t.test('a figure on one side only, or not comparable, is not compared and fails nothing', async (t) => {
  const run = await compareSides(
    t,
    { figures: [ms('both', 40), ms('baseline only', 10), ms('zero', 0), ms('unit', 10)] },
    { figures: [ms('both', 41), ms('results only', 900), ms('zero', 900), { ...ms('unit', 900), unit: 's' }] },
  );
  expectTable(t, run, 0, [
    '| baseline only | 10 ms |  |  | not compared: not in these results |',
    '| results only |  | 900 ms |  | not compared: not in the baseline |',
    '| zero | 0 ms | 900 ms |  | not compared: the baseline is not above 0 |',
    '| unit | 10 ms | 900 s |  | not compared: another unit or direction |',
    '1 of 5 figures compared; none more than 25 % worse',
  ]);
});

t.test('a file missing or not of figures: one line, exit 2', async (t) => {
  const good = JSON.stringify({ commit: 'c', machine, figures: [ms('p50', 1)] });
  const dir = t.testdir({
    'good.json': good,
    'not-json.json': '{"commit": ',
    'string-value.json': JSON.stringify({ commit: 'c', machine, figures: [{ ...ms('p50', 1), value: '1' }] }),
    'twice.json': JSON.stringify({ commit: 'c', machine, figures: [ms('p50', 1), ms('p50', 2)] }),
    'no-machine.json': JSON.stringify({ commit: 'c', figures: [] }),
  });
  const at = (name: string) => join(dir, name);
  const [missing, notJson, stringValue, twice, noMachine, extra] = await Promise.all([
    compare(at('nowhere.json'), at('good.json')),
    compare(at('good.json'), at('not-json.json')),
    compare(at('string-value.json'), at('good.json')),
    compare(at('good.json'), at('twice.json')),
    compare(at('no-machine.json'), at('good.json')),
    compare(at('good.json'), at('good.json'), at('good.json')),
  ]);
  oneLine(t, missing, /^bench:compare: \S+nowhere\.json cannot be read \(ENOENT\)$/m, 'missing');
  oneLine(t, notJson, /^bench:compare: \S+not-json\.json is not JSON: /, 'not JSON');
  oneLine(
    t,
    stringValue,
    /^bench:compare: \S+string-value\.json: figures\[0\] is not \{ id, value \(a number\)/,
    'value',
  );
  oneLine(t, twice, /^bench:compare: \S+twice\.json: the id "p50" is in figures twice$/m, 'an id twice');
  oneLine(t, noMachine, /^bench:compare: \S+no-machine\.json: machine is not a string$/m, 'no machine');
  oneLine(t, extra, /^bench:compare: usage: npm run bench:compare \[-- RESULTS \[BASELINE\]\]$/m, 'a third file');
  t.equal(missing.stdout, '', 'no table');
});

t.test('another machine: a warning, and the comparison made all the same', async (t) => {
  const other = '8 × Other CPU, 64 GiB, Node v20.20.2, linux';
  const run = await comparePairs(t, [[ms, 'p50', 40, 60]], other);
  expectTable(t, run, 1, ['| p50 | 40 ms | 60 ms | 1.50 | **more than 25 % worse** |']);
  t.equal(
    run.stderr,
    `bench:compare: warning: the baseline was measured on ${machine}, these results on ${other}; ` +
      'the ratios are compared all the same\n',
  );
});

t.test('what writeResults writes is what bench:compare reads, with the commit measured', async (t) => {
  const dir = t.testdir();
  const rows = [{ figure: 'pod creation at 50/s, eci-admission: p50 / p99', value: '40 ms / 182 ms' }];
  await writeResults(join(dir, 'cluster'), rows, new Date('2026-12-08T00:00:00Z'), [ms('eci-admission 50/s p50', 40)]);
  const written = JSON.parse(await readFile(join(dir, 'cluster.json'), 'utf8')) as { commit: string; rows: unknown };
  t.match(written.commit, /^[0-9a-f]{40}(\+dirty)?$/, 'this checkout: HEAD, +dirty when the tree differs');
  t.same(written.rows, rows, 'the rows for people, as they were');
  t.match(await readFile(join(dir, 'cluster.md'), 'utf8'), `, commit ${written.commit}\n`);
  const run = await compare(join(dir, 'cluster.json'), committedBaseline);
  expectTable(t, run, 0, ['| eci-admission 50/s p50 | 40 ms | 40 ms | 1.00 | within 25 % |']);
  t.match(run.stdout, `results: commit ${written.commit} on `);
});

t.test('the committed baseline is read as bench:compare reads it, and says how it was taken', async (t) => {
  const run = await compare(committedBaseline, committedBaseline);
  t.equal(run.code, 0, run.stderr);
  t.match(run.stdout, /^(\d+) of \1 figures compared; none more than 25 % worse$/m, 'every figure compared');
  t.match(run.stdout, /^baseline: commit [0-9a-f]{40} on .+ \(.+\)$/m, 'the commit, the machine and the note');
});
