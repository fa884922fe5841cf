// One table for every figure the benchmark measures: printed, and written where it says.
import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';

export interface Row {
  readonly figure: string;
  readonly value: string;
  /** The goal from issue 7, when this figure has one. */
  readonly goal?: string;
  readonly met?: boolean;
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}`;
}

export function markdown(rows: readonly Row[]): string {
  const lines = rows.map(
    (row) =>
      `| ${row.figure} | ${row.value} | ${row.goal ?? ''} | ${row.met === undefined ? '' : row.met ? 'yes' : '**no**'} |`,
  );
  return ['| figure | value | goal | met |', '| --- | --- | --- | --- |', ...lines].join('\n');
}

export async function writeResults(path: string, rows: readonly Row[], when: Date): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const figures = { date: when.toISOString(), machine: machine(), rows };
  await writeFile(`${path}.json`, `${JSON.stringify(figures, null, 2)}\n`);
  await writeFile(
    `${path}.md`,
    `# eci-admission benchmark\n\n${when.toISOString()} on ${machine()}\n\n${markdown(rows)}\n`,
  );
}
