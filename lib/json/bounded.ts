// The one place JSON from outside is read with bounds. Everything after it (Ajv, messages,
// diffs, deep equality, logging) recurses over the value, so a value nested thousands of levels
// deep would overflow the stack there; bounding it here keeps every consumer safe at once.

/** Nesting of a JSON value held in a string (an annotation, the profile's selectors). */
export const maxValueDepth = 32;
/** A JSON value in a string: a ConfigMap, hence its longest value, is at most 1 MiB. */
const maxValueChars = 1024 * 1024;
/**
 * Nesting of an admitted object. The API server decodes built-in kinds into Go structs and prunes
 * custom ones, so real objects stop near 20 levels (a CronJob's affinity terms); 100 is far above.
 */
export const maxObjectDepth = 100;

export class JsonLimitError extends Error {
  override name = 'JsonLimitError';
}

/**
 * JSON.parse with the limits checked first: the length, then the nesting, by one pass over the
 * text that counts brackets outside strings (no recursion, so any input is safe to measure).
 */
export function readJson(text: string, depth = maxValueDepth, chars = maxValueChars): unknown {
  if (text.length > chars) throw new JsonLimitError(`is ${text.length} characters long; the limit is ${chars}`);
  if (textDepthExceeds(text, depth)) throw new JsonLimitError(`is nested deeper than ${depth} levels, the limit`);
  return JSON.parse(text);
}

function textDepthExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

/**
 * Whether a value already parsed nests deeper than `limit`; iterative, and stops at the limit.
 * It runs on every review, so it allocates nothing per node: two parallel stacks, and objects
 * read by `for...in` (JSON has no inherited keys) rather than copied by Object.values.
 */
export function depthExceeds(value: unknown, limit: number): boolean {
  const nodes: object[] = [];
  const depths: number[] = [];
  const visit = (child: unknown, depth: number) => {
    if (child === null || typeof child !== 'object') return;
    nodes.push(child);
    depths.push(depth);
  };
  visit(value, 0);
  while (nodes.length > 0) {
    const node = nodes.pop() as Record<string, unknown>;
    const depth = depths.pop()!;
    if (depth >= limit) return true;
    if (Array.isArray(node)) for (const child of node) visit(child, depth + 1);
    else for (const key in node) visit(node[key], depth + 1);
  }
  return false;
}
