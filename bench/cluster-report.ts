// The rows of `npm run bench:cluster`: each scenario's median p50 and p99 over its rounds, with
// every round's values beside them, and the added p99 of each webhook over no webhook.
import type { Load } from './load.js';
import type { Row } from './report.js';

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

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

interface Medians {
  readonly p50: number;
  readonly p99: number;
}

function medians(measured: Measured, rate: number): Medians {
  const loads = measured.rounds.map((round) => round.get(rate)!);
  return { p50: median(loads.map((load) => load.p50)), p99: median(loads.map((load) => load.p99)) };
}

function latencyRow(measured: Measured, rate: number): Row {
  const loads = measured.rounds.map((round) => round.get(rate)!);
  const { p50, p99 } = medians(measured, rate);
  const failures = loads.reduce((sum, load) => sum + load.failures, 0);
  const perRound = loads.map((load) => `${load.p50}/${load.p99}`).join(', ');
  const done = median(loads.map((load) => load.rate)).toFixed(0);
  return {
    figure: `pod creation at ${rate}/s, ${measured.scenario.name}: p50 / p99, median of ${loads.length}`,
    value: `${p50} ms / ${p99} ms (rounds: ${perRound} ms; ${done}/s done, ${failures} failed)`,
    met: failures === 0,
  };
}

/** A webhook's added p99 over another's, from the medians; none when the run's noise exceeds it. */
function addedRow(
  rate: number,
  base: Medians,
  over: Medians,
  name: string,
  against: Medians,
  againstName: string,
  goal?: number,
): Row {
  const added = (medians: Medians) => medians.p99 - base.p99;
  const figure = `added p99 at ${rate}/s (medians): ${name} / ${againstName}`;
  const goalText = goal === undefined ? {} : { goal: `≤ ${goal}×` };
  if (added(against) <= 0 || added(over) < 0) {
    return { figure, value: `${added(over)} ms / ${added(against)} ms: below this run's noise, no ratio`, ...goalText };
  }
  const ratio = added(over) / added(against);
  return {
    figure,
    value: `${added(over)} ms / ${added(against)} ms = ${ratio.toFixed(2)}×`,
    ...goalText,
    ...(goal === undefined ? {} : { met: ratio <= goal }),
  };
}

/** `peerMissing`: why Kyverno was not measured, said in its rows' place. */
export function clusterRows(rates: readonly number[], measured: readonly Measured[], peerMissing?: string): Row[] {
  const find = (name: string) => measured.find((entry) => entry.scenario.name === name)!;
  const peer = measured.find((entry) => ![noWebhook, noop, ours].includes(entry.scenario.name));
  const rows: Row[] = measured.map((entry) => ({
    figure: `webhooks a pod creation calls: ${entry.scenario.name}`,
    value: entry.scenario.webhooks.join(', ') || 'none',
  }));
  for (const rate of rates) {
    rows.push(...measured.map((entry) => latencyRow(entry, rate)));
    if (peerMissing) rows.push({ figure: `pod creation at ${rate}/s, Kyverno`, value: peerMissing });
    const [base, noopMedians, ourMedians] = [noWebhook, noop, ours].map((name) => medians(find(name), rate)) as [
      Medians,
      Medians,
      Medians,
    ];
    rows.push(addedRow(rate, base, ourMedians, ours, noopMedians, noop, ratioGoal));
    if (peer) {
      const peerMedians = medians(peer, rate);
      rows.push(addedRow(rate, base, peerMedians, peer.scenario.name, noopMedians, noop));
      rows.push(addedRow(rate, base, ourMedians, ours, peerMedians, peer.scenario.name));
    }
  }
  return rows;
}
