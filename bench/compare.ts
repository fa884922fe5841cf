// `npm run bench:compare [-- RESULTS [BASELINE]]`: each figure of a `bench:cluster` run against the
// committed baseline, as a ratio; exit 1 when a median is more than 25 % worse, 0 otherwise, and 2,
// in one line, when a file is missing or holds no figures. A figure on one side only is not
// compared, never a failure: a baseline taken by hand may lack rows (bench/README.md: Holding the
// line: the baseline).
import { parseArgs } from 'node:util';
import { packagePath } from '../lib/facts.js';
import { readFigures, type Figure, type FiguresFile } from './figures.js';

/** Worse than the baseline by more than this fails (issue 38). */
const tolerance = 0.25;
const worseVerdict = '**more than 25 % worse**';

interface Comparison {
  readonly id: string;
  readonly baseline?: Figure;
  readonly current?: Figure;
  /** current / baseline, whichever way is better. */
  readonly ratio?: number;
  readonly verdict: string;
}

function compared(id: string, baseline: Figure | undefined, current: Figure | undefined): Comparison {
  const notCompared = (why: string): Comparison => ({ id, baseline, current, verdict: `not compared: ${why}` });
  if (baseline === undefined) return notCompared('not in the baseline');
  if (current === undefined) return notCompared('not in these results');
  if (baseline.unit !== current.unit || baseline.better !== current.better) {
    return notCompared('another unit or direction');
  }
  // A ratio to zero or to a negative difference (an added latency below the noise) says nothing.
  if (baseline.value <= 0) return notCompared('the baseline is not above 0');
  const ratio = current.value / baseline.value;
  const lower = baseline.better === 'lower';
  const worse = lower ? ratio > 1 + tolerance : ratio < 1 / (1 + tolerance);
  const better = lower ? ratio < 1 : ratio > 1;
  return { id, baseline, current, ratio, verdict: worse ? worseVerdict : better ? 'better' : 'within 25 %' };
}

/** Every id of either file, the baseline's first and in its order. */
function comparisons(baseline: FiguresFile, current: FiguresFile): Comparison[] {
  const ids = new Set([...baseline.figures, ...current.figures].map((figure) => figure.id));
  const byId = (file: FiguresFile, id: string) => file.figures.find((figure) => figure.id === id);
  return [...ids].map((id) => compared(id, byId(baseline, id), byId(current, id)));
}

function table(rows: readonly Comparison[]): string {
  const value = (figure?: Figure) => (figure ? `${Number(figure.value.toFixed(2))} ${figure.unit}` : '');
  const ratio = (row: Comparison) => row.ratio?.toFixed(2) ?? '';
  const lines = rows.map(
    (row) => `| ${[row.id, value(row.baseline), value(row.current), ratio(row), row.verdict].join(' | ')} |`,
  );
  return [
    '| figure | baseline | current | current / baseline | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...lines,
  ].join('\n');
}

function summary(rows: readonly Comparison[]): string {
  const worse = rows.filter((row) => row.verdict === worseVerdict).map((row) => row.id);
  const count = `${rows.filter((row) => row.ratio !== undefined).length} of ${rows.length} figures compared`;
  return worse.length === 0
    ? `${count}; none more than 25 % worse`
    : `${count}; ${worse.length} more than 25 % worse: ${worse.join(', ')}`;
}

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, options: {} });
  if (positionals.length > 2) throw new Error('usage: npm run bench:compare [-- RESULTS [BASELINE]]');
  const [resultsPath = packagePath('bench/results/cluster.json'), baselinePath = packagePath('bench/baseline.json')] =
    positionals;
  const [current, baseline] = await Promise.all([readFigures(resultsPath), readFigures(baselinePath)]);
  if (current.machine !== baseline.machine) {
    process.stderr.write(
      `bench:compare: warning: the baseline was measured on ${baseline.machine}, ` +
        `these results on ${current.machine}; the ratios are compared all the same\n`,
    );
  }
  const rows = comparisons(baseline, current);
  const note = baseline.note === undefined ? '' : ` (${baseline.note})`;
  process.stdout.write(
    `baseline: commit ${baseline.commit} on ${baseline.machine}${note}\n` +
      `results: commit ${current.commit} on ${current.machine}\n\n${table(rows)}\n\n${summary(rows)}\n`,
  );
  return rows.some((row) => row.verdict === worseVerdict) ? 1 : 0;
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Every failure of a command is one line and exit 2 (lib/cli.ts).
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`bench:compare: ${message.split('\n')[0]}\n`);
  process.exitCode = 2;
}
