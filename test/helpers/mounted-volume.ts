// A Secret or ConfigMap volume as the kubelet lays it out and updates it: the files in a
// timestamped folder, `..data` pointing at it, each name a link into `..data`; an update writes a
// new folder and renames a new link over `..data`, so the files' inodes never change.
import { mkdirSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type VolumeFiles = Readonly<Record<string, string>>;

let versions = 0;

export function mountVolume(dir: string, files: VolumeFiles): void {
  symlinkSync(writeVersion(dir, files), join(dir, '..data'));
  for (const name of Object.keys(files)) symlinkSync(join('..data', name), join(dir, name));
}

/** The kubelet's atomic update: a new version, `..data_tmp` renamed over `..data`, the old version removed. */
export function updateVolume(dir: string, files: VolumeFiles): void {
  const previous = readlinkSync(join(dir, '..data'));
  symlinkSync(writeVersion(dir, files), join(dir, '..data_tmp'));
  renameSync(join(dir, '..data_tmp'), join(dir, '..data'));
  rmSync(join(dir, previous), { recursive: true });
}

function writeVersion(dir: string, files: VolumeFiles): string {
  versions += 1;
  const version = `..2026_11_23_00_00_00.${versions}`;
  mkdirSync(join(dir, version), { recursive: true });
  for (const [name, content] of Object.entries(files))
    writeFileSync(join(dir, version, name), content, { mode: 0o600 });
  return version;
}
