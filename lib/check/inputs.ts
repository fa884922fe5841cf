// Manifests from files, folders and stdin: every document with the file and line it starts on,
// and every document that does not parse as an error that names them. One bad file never hides
// the others.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { LineCounter, parseAllDocuments } from 'yaml';
import { recordOrEmpty } from '../workload/pod-template.js';

export interface Manifest {
  readonly file: string;
  /** 1-based line where the document (or the List holding it) starts. */
  readonly line: number;
  readonly object: KubernetesObject;
}

export interface InputError {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

export interface Inputs {
  readonly manifests: readonly Manifest[];
  readonly errors: readonly InputError[];
}

const manifestExtensions = /\.(ya?ml|json)$/i;

/** `-` reads standard input. Folders are read recursively for .yaml, .yml and .json files. */
export async function readInputs(paths: readonly string[], stdin: () => Promise<string>): Promise<Inputs> {
  const manifests: Manifest[] = [];
  const errors: InputError[] = [];
  for (const path of paths) {
    for (const file of await expand(path, errors)) {
      const text = await (file === '-' ? stdin() : readFile(file, 'utf8')).catch((error: Error) => {
        errors.push({ file, line: 0, message: `cannot read: ${error.message}` });
        return undefined;
      });
      if (text !== undefined) parseManifests(file === '-' ? '<stdin>' : file, text, manifests, errors);
    }
  }
  return { manifests, errors };
}

async function expand(path: string, errors: InputError[]): Promise<string[]> {
  if (path === '-') return [path];
  const info = await stat(path).catch((error: Error) => {
    errors.push({ file: path, line: 0, message: `cannot read: ${error.message}` });
    return undefined;
  });
  if (info === undefined || !info.isDirectory()) return info ? [path] : [];
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile() && manifestExtensions.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** Multi-document YAML (JSON is YAML too); `List` kinds are opened into their items. */
export function parseManifests(file: string, text: string, manifests: Manifest[], errors: InputError[]): void {
  const lines = new LineCounter();
  for (const document of parseAllDocuments(text, { lineCounter: lines })) {
    const line = lines.linePos((document.contents ?? document).range?.[0] ?? 0).line;
    const [error] = document.errors;
    if (error) {
      errors.push({ file, line: error.linePos?.[0].line ?? line, message: (error.message.split('\n')[0] ?? 'invalid YAML').replace(/:$/, '') });
      continue;
    }
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    for (const object of itemsOf(value)) {
      const problem = notAnObject(object);
      if (problem) errors.push({ file, line, message: problem });
      else manifests.push({ file, line, object: object as KubernetesObject });
    }
  }
}

function itemsOf(value: unknown): unknown[] {
  const object = recordOrEmpty(value);
  const isList = typeof object.kind === 'string' && object.kind.endsWith('List') && Array.isArray(object.items);
  return isList ? (object.items as unknown[]) : [value];
}

function notAnObject(value: unknown): string | undefined {
  const object = recordOrEmpty(value);
  if (object !== value) return 'not a Kubernetes object (expected a mapping with apiVersion and kind)';
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') return 'a Kubernetes object needs apiVersion and kind';
  return undefined;
}
