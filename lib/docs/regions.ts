// How a generated region of a document is replaced: `npm run docs` writes them, and the tests
// check that each document holds what its generator makes now.

/**
 * `document` with the generated region that `docs` belongs to (its first and last lines are the
 * markers) replaced by it.
 */
export function withGenerated(document: string, docs: string): string {
  const lines = docs.split('\n');
  const [first, last] = [lines[0]!, lines.at(-1)!];
  const from = document.indexOf(first);
  const to = document.indexOf(last);
  if (from < 0 || to < from) throw new Error(`the document has no region ${first} ... ${last}`);
  return `${document.slice(0, from)}${docs}${document.slice(to + last.length)}`;
}
