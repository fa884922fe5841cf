// Files written only where none is: what `certs`, serve's self-issued set and `policies --out`
// write. Overwriting a certificate, a key or a policy someone changed by hand would lose it.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readOptional } from './mounted-files.js';

export interface NewFile {
  readonly name: string;
  readonly content: string;
  readonly mode: number;
}

class ExistingFilesError extends Error {
  override name = 'ExistingFilesError';
}

/**
 * Writes the files into dir (created with `dirMode` when missing), or none of them when any is
 * already there; returns their paths.
 */
export async function writeNewFiles(dir: string, files: readonly NewFile[], dirMode: number): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: dirMode });
  const present = (
    await Promise.all(
      files.map(async ({ name }) => ((await readOptional(join(dir, name))) === undefined ? [] : [name])),
    )
  ).flat();
  if (present.length > 0)
    throw new ExistingFilesError(`${dir} already holds ${present.join(', ')}; refusing to overwrite`);
  // `wx` fails rather than overwrite a file another process wrote meanwhile.
  for (const { name, content, mode } of files) await writeFile(join(dir, name), content, { flag: 'wx', mode });
  return files.map(({ name }) => join(dir, name));
}
