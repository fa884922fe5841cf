// The patch of a mutation: RFC 6902 operations from the submitted object to the mutated one.
import jsonpatch, { type Operation as PatchOperation } from 'fast-json-patch';

/**
 * The mutation copies on write: what it leaves alone is the submitted object itself. So the diff
 * descends only where references differ (metadata, spec, a few maps and lists) and leaves each
 * differing list to fast-json-patch: the containers, volumes and the rest of a pod are
 * never walked.
 */
export function patchBetween(original: unknown, mutated: unknown, path = ''): PatchOperation[] {
  if (original === mutated) return [];
  if (Array.isArray(original) && Array.isArray(mutated)) return prefixed(jsonpatch.compare(original, mutated), path);
  if (!isMap(original) || !isMap(mutated)) return [{ op: 'replace', path, value: mutated }];
  const removed = Object.keys(original).filter((key) => !Object.hasOwn(mutated, key)).map((key): PatchOperation => ({ op: 'remove', path: pointer(path, key) }));
  return Object.entries(mutated).reduce<PatchOperation[]>((operations, [key, value]) => {
    const at = pointer(path, key);
    if (!Object.hasOwn(original, key)) operations.push({ op: 'add', path: at, value });
    else operations.push(...patchBetween(original[key], value, at));
    return operations;
  }, removed);
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function prefixed(operations: PatchOperation[], path: string): PatchOperation[] {
  return operations.map((operation) => ({ ...operation, path: `${path}${operation.path}` }));
}

function pointer(path: string, key: string): string {
  return `${path}/${jsonpatch.escapePathComponent(key)}`;
}
