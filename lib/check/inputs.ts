// Manifests from files, folders and stdin: every document with the file and line it starts on,
// and every document that does not parse as an error that names them. One bad file never hides
// the others.
import type { Dirent } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, sep } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { isMap, isSeq, LineCounter, parseAllDocuments, type Node } from 'yaml';
import type { Finding } from '../policy/findings.js';
import { readingFindings } from '../policy/rules/index.js';
import { currentVersionOf } from '../workload/kinds.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import { duplicateKeys, lineOf, lineOfField, type DuplicateKey } from './field-lines.js';
import { kustomizationFiles } from './kustomize.js';

export interface Manifest {
  readonly file: string;
  /** 1-based line where the object starts. */
  readonly line: number;
  /** As the API server would receive it (a retired apiVersion replaced by the current one). */
  readonly object: KubernetesObject;
  /** The line of the field at a path of the object; its nearest parent's when it is absent. */
  readonly lineOf: (path: string) => number;
  /** What reading it noticed: a repeated key, a retired apiVersion. */
  readonly notes: readonly LocatedFinding[];
}

/** A finding with the line of the field it names. */
export interface LocatedFinding extends Finding {
  readonly line: number;
}

export interface InputError {
  readonly file: string;
  /** 0 when the whole file is concerned (it cannot be read): it has no line to name. */
  readonly line: number;
  readonly message: string;
}

/** `file:line`, or the file alone when the whole file is concerned. */
export function whereOf(error: InputError): string {
  return error.line > 0 ? `${error.file}:${error.line}` : error.file;
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

/** Manifests of a text that is no file of the input: what `kubectl kustomize` rendered. */
export function readText(name: string, text: string): Inputs {
  const manifests: Manifest[] = [];
  const errors: InputError[] = [];
  parseManifests(name, text, manifests, errors);
  return { manifests, errors };
}

async function expand(path: string, errors: InputError[]): Promise<string[]> {
  if (path === '-') return [path];
  const info = await stat(path).catch((error: Error) => {
    errors.push({ file: path, line: 0, message: `cannot read: ${error.message}` });
    return undefined;
  });
  if (info === undefined) return [];
  if (!info.isDirectory()) {
    if (!isKustomization(basename(path))) return [path];
    errors.push({ file: path, line: 0, message: useKustomize(dirname(path)) });
    return [];
  }
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  const kustomizations = kustomizationFolders(entries);
  for (const folder of kustomizations) errors.push({ file: folder, line: 0, message: useKustomize(folder) });
  const inKustomization = (folder: string) => kustomizations.some((kustomization) => within(kustomization, folder));
  return entries
    .filter((entry) => entry.isFile() && manifestExtensions.test(entry.name) && !inKustomization(entry.parentPath))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** `folder` is `parent` or below it. */
function within(parent: string, folder: string): boolean {
  const path = relative(parent, folder);
  return path !== '..' && !path.startsWith(`..${sep}`) && !isAbsolute(path);
}

/**
 * The folders holding a kustomization file, the outermost of each tree: their files are its
 * resources and patches, which only kustomize makes objects of (a patch alone is half an object),
 * so they are not read as manifests.
 */
function kustomizationFolders(entries: readonly Dirent[]): string[] {
  const folders = new Set(entries.filter((e) => e.isFile() && isKustomization(e.name)).map((e) => e.parentPath));
  const nested = (folder: string) => [...folders].some((other) => other !== folder && within(other, folder));
  return [...folders].filter((folder) => !nested(folder)).sort();
}

function isKustomization(fileName: string): boolean {
  return (kustomizationFiles as readonly string[]).includes(fileName);
}

function useKustomize(folder: string): string {
  return `a kustomization, whose files only kustomize makes objects of: use -k ${folder}, as for kubectl apply -k`;
}

/**
 * Multi-document YAML (JSON is YAML too), read as kubectl reads it: `List` kinds are opened into
 * their items, which inherit the kind and apiVersion of a typed List (`ServiceList`); a repeated
 * key is a warning and the later value wins; a retired version of a handled kind is read as the
 * current one, with a warning.
 */
function parseManifests(file: string, text: string, manifests: Manifest[], errors: InputError[]): void {
  const lines = new LineCounter();
  // Duplicated keys are reported by duplicateKeys below, as warnings: the API server accepts them.
  for (const document of parseAllDocuments(text, { lineCounter: lines, uniqueKeys: false })) {
    const line = lines.linePos((document.contents ?? document).range?.[0] ?? 0).line;
    const [error] = document.errors;
    if (error) {
      errors.push({
        file,
        line: error.linePos?.[0].line ?? line,
        message: (error.message.split('\n')[0] ?? 'invalid YAML').replace(/:$/, ''),
      });
      continue;
    }
    const value = document.toJS() as unknown;
    if (value === null || value === undefined) continue;
    for (const { object, node } of itemsOf(value, document.contents)) {
      const start = lineOf(node as Node, lines) ?? line;
      const problem = notAnObject(object);
      if (problem) errors.push({ file, line: start, message: problem });
      else
        manifests.push(
          manifestOf(
            file,
            start,
            object as KubernetesObject,
            (path) => lineOfField(node, path, lines, start),
            duplicateKeys(node, lines),
          ),
        );
    }
  }
}

function manifestOf(
  file: string,
  line: number,
  written: KubernetesObject,
  lineAt: (path: string) => number,
  duplicates: readonly DuplicateKey[],
): Manifest {
  const retired = currentVersionOf(String(written.apiVersion), String(written.kind));
  const object = retired ? { ...written, apiVersion: retired.current } : written;
  const notes: LocatedFinding[] = duplicates.map(({ path, line: at }) => ({
    rule: readingFindings.id,
    path,
    message: 'is written twice; the API server keeps the later value, as judged here',
    workaround: 'remove the earlier one',
    line: at,
  }));
  if (retired) {
    notes.push({
      rule: readingFindings.id,
      path: 'apiVersion',
      message:
        `${written.apiVersion} ${written.kind} is not served since Kubernetes ${retired.removedIn}` +
        `; judged as ${retired.current}`,
      workaround: `write apiVersion: ${retired.current}`,
      line: lineAt('apiVersion'),
    });
  }
  return { file, line, object, lineOf: lineAt, notes };
}

interface Item {
  readonly object: unknown;
  /** Its node in the document, for the lines of its fields. */
  readonly node: unknown;
}

function itemsOf(value: unknown, contents: unknown): Item[] {
  const list = recordOrEmpty(value);
  const isList = typeof list.kind === 'string' && list.kind.endsWith('List') && Array.isArray(list.items);
  if (!isList) return [{ object: value, node: contents }];
  const nodes = isMap(contents) ? contents.get('items', true) : undefined;
  // A typed List's items may leave out what the List says: kubectl decodes them as its kind.
  const kind = (list.kind as string).slice(0, -'List'.length);
  const inherited = kind === '' ? {} : { apiVersion: list.apiVersion, kind };
  return (list.items as unknown[]).map((item, index) => ({
    object: item === recordOrEmpty(item) ? { ...inherited, ...(item as object) } : item,
    node: isSeq(nodes) ? nodes.items[index] : undefined,
  }));
}
function notAnObject(value: unknown): string | undefined {
  const object = recordOrEmpty(value);
  if (object !== value) return 'not a Kubernetes object (expected a mapping with apiVersion and kind)';
  if (typeof object.apiVersion !== 'string' || typeof object.kind !== 'string')
    return 'a Kubernetes object needs apiVersion and kind';
  return undefined;
}
