// The machine-readable side of a benchmark's results: each measured median as a number, with its
// unit and which way is better, under an id that stays the same from run to run, so that
// `npm run bench:compare` can hold a run against the committed baseline by id alone.
import { readFile } from 'node:fs/promises';

export interface Figure {
  /** What the figure is, in words that do not change between runs: the baseline is matched by it. */
  readonly id: string;
  readonly value: number;
  readonly unit: string;
  readonly better: 'lower' | 'higher';
}

/** A latency, lower being better: most figures of `bench:cluster`. */
export function milliseconds(id: string, value: number): Figure {
  return { id, value, unit: 'ms', better: 'lower' };
}

/** A results file of `bench:cluster` or the baseline: where the figures were measured, and the figures. */
export interface FiguresFile {
  readonly commit: string;
  readonly machine: string;
  /** The baseline's: how it was taken, when that differs from a run of `bench:cluster`. */
  readonly note?: string;
  readonly figures: readonly Figure[];
}

/** The figures of a results or baseline file; throws one line naming the file and what is wrong with it. */
export async function readFigures(path: string): Promise<FiguresFile> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`${path} cannot be read (${error.code ?? error.message})`);
  });
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not JSON: ${(error as Error).message}`);
  }
  const problem = shapeProblem(data);
  if (problem !== undefined) throw new Error(`${path}: ${problem}`);
  return data as FiguresFile;
}

function shapeProblem(data: unknown): string | undefined {
  if (!isRecord(data)) return 'not an object';
  for (const key of ['commit', 'machine'] as const) if (typeof data[key] !== 'string') return `${key} is not a string`;
  if (data.note !== undefined && typeof data.note !== 'string') return 'note is not a string';
  if (!Array.isArray(data.figures)) return 'figures is not a list';
  const wrong = data.figures.findIndex((entry) => !isFigure(entry));
  if (wrong >= 0) return `figures[${wrong}] is not { id, value (a number), unit, better: "lower" or "higher" }`;
  const ids = (data.figures as Figure[]).map((entry) => entry.id);
  const twice = ids.find((id, index) => ids.indexOf(id) !== index);
  return twice === undefined ? undefined : `the id "${twice}" is in figures twice`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFigure(value: unknown): value is Figure {
  return (
    isRecord(value) &&
    typeof value.id === 'string' &&
    typeof value.value === 'number' &&
    Number.isFinite(value.value) &&
    typeof value.unit === 'string' &&
    (value.better === 'lower' || value.better === 'higher')
  );
}
