// The rows of `npm run bench:cluster` from made-up rounds: medians over rounds, the added-p99 ratio
// from the medians, no ratio when the no-op adds nothing, and the peer's rows or why it is missing;
// and the figures `bench:compare` reads, the same numbers under the ids of bench/baseline.json.
// No timing is measured here.
import t from 'tap';
import { clusterResults, median, type Measured } from '../bench/cluster-report.js';
import type { Load } from '../bench/load.js';

const load = (p50: number, p99: number): Load => ({ rate: 50, p50, p99, failures: 0 });

const scenario = (name: string) => ({ name, webhooks: [], start: async () => {}, stop: async () => {} });

function measured(name: string, p99s: readonly number[]): Measured {
  return { scenario: scenario(name), rounds: p99s.map((p99) => new Map([[50, load(1, p99)]])) };
}

const oneRound = (name: string, p50: number, p99: number): Measured => ({
  scenario: scenario(name),
  rounds: [new Map([[50, load(p50, p99)]])],
});

type Results = ReturnType<typeof clusterResults>;

const figureValue = ({ rows }: Results, figure: string) => rows.find((row) => row.figure.startsWith(figure))?.value;
const numbers = ({ figures }: Results) => Object.fromEntries(figures.map((figure) => [figure.id, figure.value]));

t.test('median of an odd and an even number of rounds', async (t) => {
  t.equal(median([5, 1, 3]), 3);
  t.equal(median([4, 1, 3, 2]), 2.5);
});

t.test('the added p99 ratio comes from the medians, and the peer is compared with both', async (t) => {
  const results = clusterResults(
    [50],
    [
      measured('no webhook', [10, 900, 12]),
      measured('no-op webhook', [20, 22, 21]),
      measured('eci-admission', [31, 30, 1000]),
      measured('Kyverno v1', [50, 51, 52]),
    ],
  );
  t.match(figureValue(results, 'pod creation at 50/s, no webhook'), /^1 ms \/ 12 ms \(rounds: 1\/10, 1\/900, 1\/12 ms/);
  t.equal(figureValue(results, 'added p99 at 50/s (medians): eci-admission / no-op webhook'), '19 ms / 9 ms = 2.11×');
  t.equal(figureValue(results, 'added p99 at 50/s (medians): Kyverno v1 / no-op webhook'), '39 ms / 9 ms = 4.33×');
  t.equal(figureValue(results, 'added p99 at 50/s (medians): eci-admission / Kyverno v1'), '19 ms / 39 ms = 0.49×');
  t.equal(numbers(results)['eci-admission / Kyverno v1 50/s added p99'], 19 / 39, 'the ratio the row rounds');
  t.equal(numbers(results)['Kyverno v1 50/s p99'], 51);
});

t.test('with --http2 the no-op offering HTTP/2 is another row, not the peer', async (t) => {
  const results = clusterResults(
    [50],
    [
      measured('no webhook', [10, 10, 10]),
      measured('no-op webhook', [20, 20, 20]),
      measured('no-op webhook offering HTTP/2', [15, 15, 15]),
      measured('eci-admission', [30, 30, 30]),
      measured('Kyverno v1', [50, 50, 50]),
    ],
  );
  t.equal(figureValue(results, 'added p99 at 50/s (medians): eci-admission / Kyverno v1'), '20 ms / 40 ms = 0.50×');
  t.notOk(
    results.rows.some((row) => row.figure.includes('/ no-op webhook offering HTTP/2')),
    'nothing is compared with the HTTP/2 no-op as if it were the peer',
  );
});

t.test('the figures are the medians of the rows as numbers, under the ids of the baseline', async (t) => {
  const results = clusterResults(
    [50],
    [oneRound('no webhook', 11, 68), oneRound('no-op webhook', 20, 116), oneRound('eci-admission', 40, 182)],
  );
  t.same(numbers(results), {
    'no webhook 50/s p50': 11,
    'no webhook 50/s p99': 68,
    'no-op webhook 50/s p50': 20,
    'no-op webhook 50/s p99': 116,
    'eci-admission 50/s p50': 40,
    'eci-admission 50/s p99': 182,
    'no-op webhook 50/s added p50': 9,
    'no-op webhook 50/s added p99': 48,
    'eci-admission 50/s added p50': 29,
    'eci-admission 50/s added p99': 114,
    'eci-admission / no-op webhook 50/s added p99': 2.375,
  });
  const notMs = results.figures
    .filter((figure) => figure.unit !== 'ms')
    .map((figure) => `${figure.id} in ${figure.unit}`);
  t.same(notMs, ['eci-admission / no-op webhook 50/s added p99 in ×'], 'latencies in ms, the ratio in ×');
  t.ok(
    results.figures.every((figure) => figure.better === 'lower'),
    'lower is better',
  );
});

t.test('no ratio when the no-op adds nothing; a missing peer says why', async (t) => {
  const results = clusterResults(
    [50],
    [measured('no webhook', [20]), measured('no-op webhook', [18]), measured('eci-admission', [25])],
    'not measured: no Go',
  );
  t.match(
    figureValue(results, 'added p99 at 50/s (medians): eci-admission / no-op webhook'),
    /below this run's noise, no ratio/,
  );
  t.equal(figureValue(results, 'pod creation at 50/s, Kyverno'), 'not measured: no Go');
  t.notOk('eci-admission / no-op webhook 50/s added p99' in numbers(results), 'no ratio figure either');
  t.equal(numbers(results)['no-op webhook 50/s added p99'], -2, 'the added p99 itself, below zero');
});
