// The eci-profile ConfigMap (kube-system/eci-profile) as the policy core sees it.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { recordOrEmpty } from '../workload/pod-template.js';

export interface Profile {
  /** Where it came from, for logs: `embedded default`, `file /path`, ... */
  readonly source: string;
  readonly data: Readonly<Record<string, string>>;
}

/** What newer ACK clusters ship: no selectors; routing by the ECI labels still applies. */
export const embeddedProfile: Profile = { source: 'embedded default', data: { selectors: '' } };

export class ProfileError extends Error {
  override name = 'ProfileError';
}

/** Reads an eci-profile ConfigMap from a YAML (or JSON) file. */
export async function readProfileFile(path: string): Promise<Profile> {
  let document: unknown;
  try {
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ProfileError(`cannot read eci-profile ${path}: ${(error as Error).message}`);
  }
  return { source: `file ${path}`, data: configMapData(document, path) };
}

function configMapData(document: unknown, path: string): Record<string, string> {
  const object = recordOrEmpty(document);
  if (object.kind !== 'ConfigMap') {
    throw new ProfileError(`${path} is not a ConfigMap (kind: ${String(object.kind)})`);
  }
  const data = recordOrEmpty(object.data);
  const notStrings = Object.keys(data).filter((key) => typeof data[key] !== 'string');
  if (notStrings.length > 0) {
    throw new ProfileError(`${path}: ConfigMap data values must be strings: ${notStrings.join(', ')}`);
  }
  return data as Record<string, string>;
}
