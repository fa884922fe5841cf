// The README's commands of the CLI, found in its code (fenced blocks and inline spans), and run as
// written from a clone: a folder whose dist/ is this repository's build, so that files a command
// writes (certs/) land in a folder of the test's and never in the repository.
import { spawn } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { finished, type Run } from './cli.js';
import { packagePath } from '../../lib/facts.js';

export const repoRoot = packagePath('.');
export const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');

/** The README and the documents it links, whose commands run as the README's do. */
export const documentFiles = [
  'README.md',
  'docs/reference.md',
  'docs/policies.md',
  'DEVELOPMENT.md',
  'bench/README.md',
];
export const documentOf = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');
const documents = documentFiles.map(documentOf).join('\n');

/** How the README runs the CLI from a clone. */
export const cliForm = 'node dist/lib/cli.js';

/** Every line of every fenced block (without a `$ ` prompt) and every inline code span. */
export function readmeCode(markdown: string = documents): string[] {
  // A usage line continued on indented lines of options is one line.
  const fenced = [...markdown.matchAll(/^\s*```[a-z]*\n([\s\S]*?)^\s*```/gm)].flatMap((block) =>
    block[1]!.replace(/\n\s+(?=\[)/g, ' ').split('\n'),
  );
  const prose = markdown.replace(/^\s*```[a-z]*\n[\s\S]*?^\s*```/gm, '');
  const inline = [...prose.matchAll(/`([^`\n]+)`/g)].map((span) => span[1]!);
  return [...fenced, ...inline].map((line) => line.trim().replace(/^\$ /, ''));
}

/** Each command of the CLI the README shows, without a trailing comment; a pipeline's CLI part alone. */
export function cliCommands(markdown: string = documents): string[] {
  const segments = readmeCode(markdown).flatMap((line) => line.replace(/\s+#.*$/, '').split(/\s\|\s|&&|;/));
  return [...new Set(segments.map((segment) => segment.trim()).filter((segment) => segment.startsWith(`${cliForm} `)))];
}

/** A usage line (options in brackets, placeholders such as PATH or <command>) rather than a command to run. */
export function isSynopsis(command: string): boolean {
  return /\[|<|\b[A-Z]{2,}\b|\.\.\./.test(command);
}

/** A folder laid out as a built clone: dist/ is this repository's. */
export function cloneLike(dir: string): string {
  symlinkSync(join(repoRoot, 'dist'), join(dir, 'dist'));
  return dir;
}

/** Runs a command line as a shell would, in `cwd`. */
export function shell(
  command: string,
  cwd: string,
  options: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<Run> {
  return finished(
    spawn('bash', ['-c', command], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...options.env } }),
    options.stdin,
  );
}
