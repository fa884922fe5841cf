// `serve --background-scan INTERVAL`: the pass of `scan -A --apply-reports`, run by the server
// over and over, so that the PolicyReports follow the cluster. One pass at a time (the next is
// timed from the end of the last, so a slow cluster is never scanned twice at once), small pages
// with a pause before each (the API server sees a few light lists a second, never a burst), and
// a failure is one log line and a counter: the webhook's answers never depend on a scan. Only the
// replica that leads (lib/cluster/leader-election.ts) runs passes, so the reports are written once.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContextLog } from '../server/context-source.js';
import type { ClusterReader } from './scan.js';

/** What one pass found. */
interface PassResult {
  readonly objects: number;
  readonly denials: number;
  readonly warnings: number;
}

export interface BackgroundScanStatus {
  /** Whether this replica is the one that scans, now. */
  readonly leader: boolean;
  /** Passes that completed, and passes that failed. */
  readonly passes: number;
  readonly failures: number;
  /** The last completed pass: when it ended (ms since the epoch), how long it took, what it found. */
  readonly last?: PassResult & { readonly endedAt: number; readonly seconds: number };
}

/** Before the first pass ends. */
export const noPassYet: BackgroundScanStatus = { leader: false, passes: 0, failures: 0 };

export interface BackgroundScan {
  status(): BackgroundScanStatus;
  /** Cancels a pass in progress at its next page, and schedules none. */
  stop(): Promise<void>;
}

/** A pass reads the cluster through `throttled(reader)`, so every page waits its turn and stops with the server. */
export type Pass = (throttled: (reader: ClusterReader) => ClusterReader) => Promise<PassResult>;

export interface BackgroundScanOptions {
  readonly intervalMs: number;
  /** The pause before each list request. */
  readonly pageDelayMs: number;
  readonly pass: Pass;
  /** False while the webhook's context is still loading: the pass waits for it. */
  readonly ready: () => boolean;
  /** True while this replica leads: passes run only then, and one in progress stops at its next page. */
  readonly leading: () => boolean;
  readonly log: ContextLog;
  readonly now: () => number;
}

/** How often a scan that waits for the context, or to lead, looks again. */
const pollMs = 1_000;

export function startBackgroundScan(options: BackgroundScanOptions): BackgroundScan {
  const stopping = new AbortController();
  const { signal } = stopping;
  let status = noPassYet;
  const throttled = (reader: ClusterReader): ClusterReader => ({
    ...reader,
    list: async (target, request) => {
      await sleep(options.pageDelayMs, undefined, { signal });
      if (!options.leading()) throw new Error('no longer leading');
      return reader.list(target, request);
    },
  });
  const runPass = async (): Promise<void> => {
    const started = options.now();
    try {
      const found = await options.pass(throttled);
      const endedAt = options.now();
      status = {
        ...status,
        passes: status.passes + 1,
        last: { ...found, endedAt, seconds: (endedAt - started) / 1000 },
      };
      options.log.info({ ...found, seconds: status.last?.seconds }, 'background scan: policy reports written');
    } catch (error) {
      // Stopped with the server, or another replica leads now: no failure (the election logged why).
      if (signal.aborted || !options.leading()) return;
      status = { ...status, failures: status.failures + 1 };
      options.log.warn({}, `background scan failed: ${(error as Error).message}`);
    }
  };
  const due = () => options.leading() && options.ready();
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      if (due()) await runPass();
      await sleep(due() ? options.intervalMs : pollMs, undefined, { signal }).catch(() => undefined);
    }
  };
  const running = loop();
  return {
    status: () => ({ ...status, leader: options.leading() }),
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}
