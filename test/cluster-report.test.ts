// The rows of `npm run bench:cluster` from made-up rounds: medians over rounds, the added-p99 ratio
// from the medians, no ratio when the no-op adds nothing, and the peer's rows or why it is missing.
// No timing is measured here.
import t from 'tap';
import { clusterRows, median, type Measured } from '../bench/cluster-report.js';
import type { Load } from '../bench/load.js';

const load = (p50: number, p99: number): Load => ({ rate: 50, p50, p99, failures: 0 });

function measured(name: string, p99s: readonly number[]): Measured {
  const scenario = { name, webhooks: [], start: async () => {}, stop: async () => {} };
  return { scenario, rounds: p99s.map((p99) => new Map([[50, load(1, p99)]])) };
}

const figureValue = (rows: ReturnType<typeof clusterRows>, figure: string) =>
  rows.find((row) => row.figure.startsWith(figure))?.value;

t.test('median of an odd and an even number of rounds', async (t) => {
  t.equal(median([5, 1, 3]), 3);
  t.equal(median([4, 1, 3, 2]), 2.5);
});

t.test('the added p99 ratio comes from the medians, and the peer is compared with both', async (t) => {
  const rows = clusterRows(
    [50],
    [
      measured('no webhook', [10, 900, 12]),
      measured('no-op webhook', [20, 22, 21]),
      measured('eci-admission', [31, 30, 1000]),
      measured('Kyverno v1', [50, 51, 52]),
    ],
  );
  t.match(figureValue(rows, 'pod creation at 50/s, no webhook'), /^1 ms \/ 12 ms \(rounds: 1\/10, 1\/900, 1\/12 ms/);
  t.equal(figureValue(rows, 'added p99 at 50/s (medians): eci-admission / no-op webhook'), '19 ms / 9 ms = 2.11×');
  t.equal(figureValue(rows, 'added p99 at 50/s (medians): Kyverno v1 / no-op webhook'), '39 ms / 9 ms = 4.33×');
  t.equal(figureValue(rows, 'added p99 at 50/s (medians): eci-admission / Kyverno v1'), '19 ms / 39 ms = 0.49×');
});

t.test('no ratio when the no-op adds nothing; a missing peer says why', async (t) => {
  const rows = clusterRows(
    [50],
    [measured('no webhook', [20]), measured('no-op webhook', [18]), measured('eci-admission', [25])],
    'not measured: no Go',
  );
  t.match(
    figureValue(rows, 'added p99 at 50/s (medians): eci-admission / no-op webhook'),
    /below this run's noise, no ratio/,
  );
  t.equal(figureValue(rows, 'pod creation at 50/s, Kyverno'), 'not measured: no Go');
});
