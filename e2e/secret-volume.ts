// A Secret volume as the kubelet writes it (its AtomicWriter): the files in a timestamped folder,
// `..data` a symlink to it, and each key a symlink through `..data`; an update writes a new folder
// and swaps `..data` in one rename, so a reader sees the old set or the new one, never a mix.
import { mkdirSync, readdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeSecretVolume(dir: string, files: Readonly<Record<string, string>>): void {
  mkdirSync(dir, { recursive: true });
  const previous = readdirSync(dir).includes('..data') ? readlinkSync(join(dir, '..data')) : undefined;
  const folder = `..${new Date().toISOString().replace(/[-:.]/g, '_')}.${process.hrtime.bigint()}`;
  mkdirSync(join(dir, folder), { mode: 0o750 });
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, folder, name), content, { mode: 0o640 });
  symlinkSync(folder, join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const name of Object.keys(files)) {
    if (!readdirSync(dir).includes(name)) symlinkSync(join('..data', name), join(dir, name));
  }
  if (previous !== undefined) rmSync(join(dir, previous), { recursive: true, force: true });
}
