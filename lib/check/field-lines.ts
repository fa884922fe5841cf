// Lines of fields in a parsed YAML (or JSON) document, so a finding lands on the line of the
// field it names: `spec.template.spec.volumes[1].hostPath` is looked up key by key in the
// document's nodes, and a field that is absent (added by the mutation, or inside a JSON string)
// gets the line of its nearest parent that is there.
import { isMap, isSeq, type LineCounter, type Node, type Pair } from 'yaml';
import { childPath } from '../json-schema/messages.js';

/** `a.b[0]["c.d"]` -> ['a', 'b', 0, 'c.d'], the notation findings use (lib/json-schema/messages.ts). */
function pathSegments(path: string): Array<string | number> {
  const segment = /\.?([^.[\]"]+)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g;
  return [...path.matchAll(segment)].map(([, key, index, quoted]) =>
    index !== undefined ? Number(index) : quoted !== undefined ? (JSON.parse(quoted) as string) : key!,
  );
}

export function lineOf(node: Node | Pair | null | undefined, lines: LineCounter): number | undefined {
  const start = (node && 'range' in node ? node.range : undefined)?.[0];
  return start === undefined ? undefined : lines.linePos(start).line;
}

/** The line of the field at `path` under `root`; `fallback` when not even its first key is there. */
export function lineOfField(root: unknown, path: string, lines: LineCounter, fallback: number): number {
  let node = root;
  let line = fallback;
  for (const segment of pathSegments(path)) {
    const next = child(node, segment);
    if (next === undefined) break;
    line = lineOf(next.at, lines) ?? line;
    node = next.node;
  }
  return line;
}

/** The key's own line for a map entry (its value may start below it), the item's for a list. */
function child(node: unknown, segment: string | number): { at: Node | Pair; node: unknown } | undefined {
  if (isMap(node)) {
    // The last entry with the key: the value the API server decodes when a key is repeated.
    const pair = node.items.findLast((item) => keyOf(item) === String(segment));
    return pair && { at: (pair.key as Node | null) ?? pair, node: pair.value };
  }
  if (isSeq(node) && typeof segment === 'number') {
    const item = node.items[segment] as Node | undefined;
    return item && { at: item, node: item };
  }
  return undefined;
}

function keyOf(pair: Pair): string {
  const key = pair.key as { value?: unknown } | null;
  return String(key && typeof key === 'object' && 'value' in key ? key.value : key);
}

export interface DuplicateKey {
  readonly path: string;
  readonly line: number;
}

/** Every key written twice in one mapping, at the later one's line. */
export function duplicateKeys(root: unknown, lines: LineCounter, at = ''): DuplicateKey[] {
  if (isSeq(root)) return root.items.flatMap((item, index) => duplicateKeys(item, lines, childPath(at, index)));
  if (!isMap(root)) return [];
  const seen = new Set<string>();
  return root.items.flatMap((pair) => {
    const key = keyOf(pair);
    const path = childPath(at, key);
    const repeated = seen.has(key) ? [{ path, line: lineOf(pair.key as Node | null, lines) ?? 0 }] : [];
    seen.add(key);
    return [...repeated, ...duplicateKeys(pair.value, lines, path)];
  });
}
