// Counts in words: `1 object`, `2 objects`, wherever a number of things is printed.

/** `1 warning`, `0 warnings`; `plural` for nouns that do not just take an s (`entries`). */
export function counted(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : plural}`;
}
