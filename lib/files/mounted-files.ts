// Files in a folder that Kubernetes may mount (a Secret or a ConfigMap volume), followed for
// changes. The kubelet updates such a volume by writing a new timestamped folder and swapping the
// `..data` symlink, so the files' inodes never change: the folder, not the files, is what to
// watch, and what counts is what the files read after the event. Events come in bursts, so they
// are debounced; a change is reported once per new content, not once per event.
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The contents of the followed files, in the order they were named; undefined: absent. */
export type Contents = ReadonlyArray<string | undefined>;

export interface FollowEvents {
  /** The files read differently from the last time: the consumer decides whether they are usable. */
  changed(contents: Contents): void;
  /** The folder or a file could not be read: whatever the consumer has stays. */
  failed(reason: string): void;
}

export interface Following {
  close(): void;
}

/** Quiet time after the last event before the files are read: a kubelet swap takes milliseconds. */
const defaultDebounceMs = 250;

/** `initial` is what the consumer already has, so a first event that changes nothing says nothing. */
export function followFiles(
  dir: string,
  names: readonly string[],
  initial: Contents,
  events: FollowEvents,
  debounceMs = defaultDebounceMs,
): Following {
  let timer: NodeJS.Timeout | undefined;
  let last = initial;
  let closed = false;
  const check = async () => {
    const contents = await Promise.all(names.map((name) => readOptional(join(dir, name))));
    if (closed || contents.every((content, index) => content === last[index])) return;
    last = contents;
    events.changed(contents);
  };
  const watcher: FSWatcher = watch(dir, () => {
    clearTimeout(timer);
    timer = setTimeout(() => void check().catch((error: Error) => events.failed(error.message)), debounceMs);
  });
  // The folder going away must not take the server down: the consumer keeps what it has.
  watcher.on('error', (error) => events.failed(`cannot watch ${dir}: ${error.message}`));
  return {
    close: () => {
      closed = true;
      clearTimeout(timer);
      watcher.close();
    },
  };
}

/** The file's text, or undefined when it does not exist; any other failure throws. */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
