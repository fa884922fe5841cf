// Where the server gets its policy context: one immutable snapshot per request, swapped whole
// by whoever watches the world (a file, the cluster).
import type { PolicyContext } from '../policy/context.js';

export interface ContextSource {
  /** The snapshot for the next request. Never waits on I/O. */
  current(): PolicyContext;
  /** False until the first snapshot from the real source is in. */
  ready(): boolean;
}

export function staticContext(context: PolicyContext): ContextSource {
  return { current: () => context, ready: () => true };
}
