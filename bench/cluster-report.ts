// The rows of `npm run bench:cluster`: each scenario's median p50 and p99 over its rounds, with
// every round's values beside them, and the added p99 of each webhook over no webhook; and the same
// medians as figures, from the same computation, for `bench:compare`.
import { milliseconds, type Figure } from './figures.js';
import type { Load } from './load.js';
import { joined, type Results } from './report.js';

export interface Scenario {
  readonly name: string;
  /** The webhooks a pod creation calls while it runs: checked before it is measured. */
  readonly webhooks: readonly string[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface Measured {
  readonly scenario: Scenario;
  /** One map of rate to load per round. */
  readonly rounds: Array<ReadonlyMap<number, Load>>;
}

const ratioGoal = 1.2;
const noWebhook = 'no webhook';
const noop = 'no-op webhook';
const ours = 'eci-admission';
/** bench/cluster.ts names the peer's row `Kyverno VERSION`. */
const peerName = 'Kyverno';

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Nearest rank: of 20 samples, p99 is the slowest; NaN of none. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface Medians {
  readonly p50: number;
  readonly p99: number;
}

function medians(measured: Measured, rate: number): Medians {
  const loads = measured.rounds.map((round) => round.get(rate)!);
  return { p50: median(loads.map((load) => load.p50)), p99: median(loads.map((load) => load.p99)) };
}

/** `prefix p50` and `prefix p99`: the ids `bench:compare` matches the baseline by. */
function percentileFigures(prefix: string, { p50, p99 }: Medians): Figure[] {
  return [milliseconds(`${prefix} p50`, p50), milliseconds(`${prefix} p99`, p99)];
}

function latency(measured: Measured, rate: number): Results {
  const loads = measured.rounds.map((round) => round.get(rate)!);
  const ofRounds = medians(measured, rate);
  const failures = loads.reduce((sum, load) => sum + load.failures, 0);
  const perRound = loads.map((load) => `${load.p50}/${load.p99}`).join(', ');
  const done = median(loads.map((load) => load.rate)).toFixed(0);
  const { name } = measured.scenario;
  const row = {
    figure: `pod creation at ${rate}/s, ${name}: p50 / p99, median of ${loads.length}`,
    value: `${ofRounds.p50} ms / ${ofRounds.p99} ms (rounds: ${perRound} ms; ${done}/s done, ${failures} failed)`,
    met: failures === 0,
  };
  return { rows: [row], figures: percentileFigures(`${name} ${rate}/s`, ofRounds) };
}

/** What a webhook adds to no webhook's medians. */
interface Added {
  readonly name: string;
  readonly added: Medians;
}

function addedOver(base: Medians, measured: Measured, rate: number): Added {
  const { p50, p99 } = medians(measured, rate);
  return { name: measured.scenario.name, added: { p50: p50 - base.p50, p99: p99 - base.p99 } };
}

/** A webhook's added p99 over another's, from the medians; none when the run's noise exceeds it. */
function addedRatio(rate: number, over: Added, against: Added, goal?: number): Results {
  const [overMs, againstMs] = [over.added.p99, against.added.p99];
  const figure = `added p99 at ${rate}/s (medians): ${over.name} / ${against.name}`;
  const goalText = goal === undefined ? {} : { goal: `≤ ${goal}×` };
  if (againstMs <= 0 || overMs < 0) {
    const value = `${overMs} ms / ${againstMs} ms: below this run's noise, no ratio`;
    return { rows: [{ figure, value, ...goalText }], figures: [] };
  }
  const ratio = overMs / againstMs;
  const row = {
    figure,
    value: `${overMs} ms / ${againstMs} ms = ${ratio.toFixed(2)}×`,
    ...goalText,
    ...(goal === undefined ? {} : { met: ratio <= goal }),
  };
  const id = `${over.name} / ${against.name} ${rate}/s added p99`;
  return { rows: [row], figures: [{ id, value: ratio, unit: '×', better: 'lower' }] };
}

function atRate(rate: number, measured: readonly Measured[], peerMissing?: string): Results {
  const base = medians(measured.find((entry) => entry.scenario.name === noWebhook)!, rate);
  const webhooks = measured
    .filter((entry) => entry.scenario.name !== noWebhook)
    .map((entry) => addedOver(base, entry, rate));
  const [noopAdded, ourAdded] = [noop, ours].map((name) => webhooks.find((webhook) => webhook.name === name)!) as [
    Added,
    Added,
  ];
  // The peer by its name: with --http2 a second no-op row is measured too, and it is no peer.
  const peer = webhooks.find((webhook) => webhook.name.startsWith(peerName));
  const missing = peerMissing ? [{ figure: `pod creation at ${rate}/s, ${peerName}`, value: peerMissing }] : [];
  const addedFigures = webhooks.flatMap((webhook) =>
    percentileFigures(`${webhook.name} ${rate}/s added`, webhook.added),
  );
  return joined([
    ...measured.map((entry) => latency(entry, rate)),
    { rows: missing, figures: addedFigures },
    addedRatio(rate, ourAdded, noopAdded, ratioGoal),
    ...(peer ? [addedRatio(rate, peer, noopAdded), addedRatio(rate, ourAdded, peer)] : []),
  ]);
}

/**
 * The rows, and as figures each scenario's median p50 and p99, each webhook's added p50 and p99
 * over no webhook, and the ratios of added p99 the rows give. `peerMissing`: why Kyverno was not
 * measured, said in its rows' place.
 */
export function clusterResults(rates: readonly number[], measured: readonly Measured[], peerMissing?: string): Results {
  const calls = measured.map((entry) => ({
    figure: `webhooks a pod creation calls: ${entry.scenario.name}`,
    value: entry.scenario.webhooks.join(', ') || 'none',
  }));
  return joined([{ rows: calls, figures: [] }, ...rates.map((rate) => atRate(rate, measured, peerMissing))]);
}
