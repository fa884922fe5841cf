// Which webhooks a pod creation calls, from the API server's own metrics: the bench's check that
// a row measures exactly the webhooks it names (one tool at a time, none failing open), whatever
// the tool. New configurations reach the admission chain a moment after they are written.
import { kubectl, kubectlOk } from '../e2e/helpers.js';
import { waitFor } from '../e2e/processes.js';

interface Calls {
  /** Calls per webhook name, answered or not. */
  readonly calls: ReadonlyMap<string, number>;
  /** Calls that failed and were let through (failurePolicy Ignore). */
  readonly failedOpen: number;
}

async function webhookCalls(): Promise<Calls> {
  const metrics = await kubectlOk(['get', '--raw', '/metrics']);
  const calls = new Map<string, number>();
  let failedOpen = 0;
  for (const line of metrics.split('\n')) {
    const name = /^[a-z_]+\{(?:.*,)?name="([^"]+)".*\} (\S+)$/.exec(line);
    if (!name) continue;
    if (line.startsWith('apiserver_admission_webhook_admission_duration_seconds_count{'))
      calls.set(name[1]!, (calls.get(name[1]!) ?? 0) + Number(name[2]));
    if (line.startsWith('apiserver_admission_webhook_fail_open_count{')) failedOpen += Number(name[2]);
  }
  return { calls, failedOpen };
}

/** The webhooks a pod's dry run called, or why it is not yet the wanted set. */
async function probe(ns: string, wanted: readonly string[]): Promise<boolean | string> {
  const before = await webhookCalls();
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'probe-', namespace: ns },
    spec: { containers: [{ name: 'c', image: 'nginx' }] },
  };
  const result = await kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(pod) });
  if (result.code !== 0) return `the probe pod was refused: ${result.stderr.trim()}`;
  const after = await webhookCalls();
  const called = [...after.calls]
    .filter(([name, count]) => count > (before.calls.get(name) ?? 0))
    .map(([name]) => name)
    .sort();
  if (after.failedOpen > before.failedOpen) return `a webhook call failed open (called: ${called.join(', ')})`;
  const expected = [...wanted].sort();
  return called.join() === expected.join()
    ? true
    : `a pod creation calls [${called.join(', ')}], not [${expected.join(', ')}]`;
}

/** Waits until a pod creation in `ns` calls exactly `wanted`, each answering. */
export async function untilWebhooksAnswer(ns: string, wanted: readonly string[]): Promise<void> {
  await waitFor(`a pod creation to call exactly [${wanted.join(', ')}]`, () => probe(ns, wanted), 60_000);
}
