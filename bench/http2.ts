// HTTP/1.1 against HTTP/2, measured with h2load (Debian's nghttp2-client), a load generator in C
// that speaks both: the ceiling offering each protocol, and eci-admission, which offers HTTP/1.1.
import { execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runs } from './pinning.js';
import type { Row } from './report.js';

export interface H2loadRun {
  readonly rate: number;
  /** Mean time per request, in milliseconds (h2load reports no percentiles). */
  readonly mean: number;
  readonly failures: number;
}

/** How h2load connects: the protocol, and how many connections carry how many streams each. */
export interface Shape {
  readonly protocol: 'http/1.1' | 'h2';
  readonly connections: number;
  readonly streams: number;
}

const seconds = 5;

export function hasH2load(): boolean {
  return runs('h2load', ['--version']);
}

export const missingH2loadRow: Row = {
  figure: 'HTTP/1.1 against HTTP/2 (h2load)',
  value: 'not in this run: h2load is not installed (Debian package nghttp2-client)',
};

/** Writes the body where h2load reads it (-d takes a file). */
export async function bodyFile(dir: string, body: string): Promise<string> {
  const path = join(dir, 'review.json');
  await writeFile(path, body);
  return path;
}

export function h2load(url: string, bodyPath: string, shape: Shape): H2loadRun {
  const protocol = shape.protocol === 'h2' ? [] : ['--h1'];
  const args = [
    ...protocol,
    '-D',
    String(seconds),
    '--warm-up-time=1',
    '-c',
    String(shape.connections),
    '-m',
    String(shape.streams),
    '-d',
    bodyPath,
    '-H',
    'content-type: application/json',
    url,
  ];
  const output = execFileSync('h2load', args, { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  const negotiated = /Application protocol: (\S+)/.exec(output)?.[1];
  if (negotiated !== shape.protocol)
    throw new Error(`h2load ${url}: ${negotiated ?? 'no protocol'} negotiated, ${shape.protocol} wanted`);
  return {
    rate: Number(/finished in [\d.]+s, ([\d.]+) req\/s/.exec(output)?.[1] ?? 0),
    mean: parseMillis(/time for request:\s+\S+\s+\S+\s+(\S+)/.exec(output)?.[1] ?? '0ms'),
    failures: Number(/(\d+) failed/.exec(output)?.[1] ?? 0) + Number(/(\d+) errored/.exec(output)?.[1] ?? 0),
  };
}

function parseMillis(text: string): number {
  const value = Number.parseFloat(text);
  if (text.endsWith('us')) return value / 1000;
  if (text.endsWith('ms')) return value;
  return value * 1000;
}
