// One table for every figure the benchmark measures: printed, and written where it says, with the
// machine and the commit it was measured on, and the figures a later run is compared with.
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { packagePath } from '../lib/facts.js';
import type { Figure } from './figures.js';

export interface Row {
  readonly figure: string;
  readonly value: string;
  /** The goal from issue 7, when this figure has one. */
  readonly goal?: string;
  readonly met?: boolean;
}

/** Rows for people and the same medians as numbers for `bench:compare`, made in one place. */
export interface Results {
  readonly rows: readonly Row[];
  readonly figures: readonly Figure[];
}

export function joined(parts: readonly Results[]): Results {
  return { rows: parts.flatMap((part) => part.rows), figures: parts.flatMap((part) => part.figures) };
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

/** The commit measured, "+dirty" when the working tree differs from it: a figure is as good as the code it names. */
function commit(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: packagePath('.'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return `${git('rev-parse', 'HEAD')}${git('status', '--porcelain') === '' ? '' : '+dirty'}`;
  } catch {
    // No git on the machine, or a copy of the package that is no checkout.
    return 'unknown';
  }
}

export function markdown(rows: readonly Row[]): string {
  const lines = rows.map(
    (row) =>
      `| ${row.figure} | ${row.value} | ${row.goal ?? ''} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`,
  );
  return ['| figure | value | goal | met |', '| --- | --- | --- | --- |', ...lines].join('\n');
}

export async function writeResults(
  path: string,
  rows: readonly Row[],
  when: Date,
  figures: readonly Figure[] = [],
): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const measured = { date: when.toISOString(), commit: commit(), machine: machine() };
  await writeFile(`${path}.json`, `${JSON.stringify({ ...measured, rows, figures }, null, 2)}\n`);
  const header = `${measured.date} on ${measured.machine}, commit ${measured.commit}`;
  await writeFile(`${path}.md`, `# eci-admission benchmark\n\n${header}\n\n${markdown(rows)}\n`);
}
