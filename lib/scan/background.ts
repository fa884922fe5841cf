// `serve --background-scan INTERVAL`: the pass of `scan -A --apply-reports`, run by the server
// over and over, so that the PolicyReports follow the cluster. One pass at a time (the next is
// timed from the end of the last, so a slow cluster is never scanned twice at once), small pages
// with a pause before each (the API server sees a few light lists a second, never a burst), and
// a failure is one log line and a counter: the webhook's answers never depend on a scan.
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
  /** Passes that completed, and passes that failed. */
  readonly passes: number;
  readonly failures: number;
  /** The last completed pass: when it ended (ms since the epoch), how long it took, what it found. */
  readonly last?: PassResult & { readonly endedAt: number; readonly seconds: number };
}

/** Before the first pass ends. */
export const noPassYet: BackgroundScanStatus = { passes: 0, failures: 0 };

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
  readonly log: ContextLog;
  readonly now: () => number;
}

/** How often a pass that waits for the context looks again. */
const readyPollMs = 1_000;

export function startBackgroundScan(options: BackgroundScanOptions): BackgroundScan {
  const stopping = new AbortController();
  const { signal } = stopping;
  let status = noPassYet;
  const throttled = (reader: ClusterReader): ClusterReader => ({
    ...reader,
    list: async (target, request) => {
      await sleep(options.pageDelayMs, undefined, { signal });
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
      if (signal.aborted) return;
      status = { ...status, failures: status.failures + 1 };
      options.log.warn({}, `background scan failed: ${(error as Error).message}`);
    }
  };
  const loop = async (): Promise<void> => {
    while (!signal.aborted) {
      if (options.ready()) await runPass();
      const wait = options.ready() ? options.intervalMs : readyPollMs;
      await sleep(wait, undefined, { signal }).catch(() => undefined);
    }
  };
  const running = loop();
  return {
    status: () => status,
    stop: async () => {
      stopping.abort();
      await running;
    },
  };
}

const units: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000 };

/** `30s`, `10m`, `1h`: Go's duration units a Kubernetes user types, whole numbers only. */
export function intervalMsOf(text: string): number | undefined {
  const match = /^([1-9]\d{0,5})(s|m|h)$/.exec(text);
  return match ? Number(match[1]) * units[match[2]!]! : undefined;
}
