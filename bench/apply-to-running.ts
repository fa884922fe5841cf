// The figure users feel most: from `kubectl apply` of a Deployment to all its pods Running on the
// virtual node, through the whole e2e cluster (Deployment and ReplicaSet controllers, scheduler,
// virtual node). With eci-admission the namespace label routes the pods; without it the user writes
// the virtual node's nodeSelector and toleration by hand, so both end on the same node.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { virtualNodeRouting } from '../lib/policy/routing.js';
import { kubectlOk } from '../e2e/helpers.js';
import { virtualNodeName } from '../e2e/node-names.js';
import { adminKubeconfig } from '../e2e/paths.js';
import { percentile } from './cluster-report.js';
import { milliseconds } from './figures.js';
import { joined, type Results } from './report.js';

export interface ApplyScenario {
  readonly name: string;
  /** Whether the user routes the pods by hand (no webhook to do it). */
  readonly routesByHand: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const app = 'apply-bench';
const replicas = 3;
/** Polled this often: the figures' resolution. */
const pollMs = 20;
const timeoutMs = 60_000;

function deployment(ns: string, routesByHand: boolean): object {
  const { nodeSelector, toleration } = virtualNodeRouting['ack-virtual-node'];
  const routing = routesByHand ? { nodeSelector, tolerations: [toleration] } : {};
  const container = { name: 'app', image: 'nginx', resources: { requests: { cpu: '500m', memory: '1Gi' } } };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: app, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app } },
      template: { metadata: { labels: { app } }, spec: { containers: [container], ...routing } },
    },
  };
}

async function until(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await done())) {
    if (performance.now() > deadline) throw new Error(`apply-to-Running: ${what} not within ${timeoutMs / 1000} s`);
    await sleep(pollMs);
  }
}

const runningOnVirtualNode = (pod: V1Pod) =>
  pod.status?.phase === 'Running' && pod.spec?.nodeName === virtualNodeName && !pod.metadata?.deletionTimestamp;

/** One apply, in milliseconds; the Deployment and its pods deleted after, so that each starts alike. */
async function once(api: CoreV1Api, ns: string, routesByHand: boolean): Promise<number> {
  const pods = async () => (await api.listNamespacedPod({ namespace: ns, labelSelector: `app=${app}` })).items;
  const started = performance.now();
  await kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(deployment(ns, routesByHand)) });
  await until(`${replicas} pods Running on ${virtualNodeName}`, async () => {
    const items = await pods();
    return items.length === replicas && items.every(runningOnVirtualNode);
  });
  const elapsed = performance.now() - started;
  await kubectlOk(['delete', 'deployment', app, '-n', ns]);
  await until('the pods to go', async () => (await pods()).length === 0);
  return elapsed;
}

const perBlock = 5;

/** `blocks` rounds, each applying in every scenario `perBlock` times, in an order rotated each round. */
export async function applyToRunning(
  ns: string,
  scenarios: readonly ApplyScenario[],
  blocks: number,
  say: (line: string) => void,
): Promise<Results> {
  const config = new KubeConfig();
  config.loadFromFile(adminKubeconfig);
  const api = config.makeApiClient(CoreV1Api);
  const samples = scenarios.map((): number[] => []);
  for (let block = 0; block < blocks; block++) {
    for (let i = 0; i < scenarios.length; i++) {
      const index = (i + block) % scenarios.length;
      const scenario = scenarios[index]!;
      say(`apply-to-Running ${block + 1}/${blocks}: ${scenario.name}`);
      await scenario.start();
      try {
        for (let n = 0; n < perBlock; n++) samples[index]!.push(await once(api, ns, scenario.routesByHand));
      } finally {
        await scenario.stop();
      }
    }
  }
  return joined(scenarios.map((scenario, index) => applied(scenario.name, samples[index]!)));
}

/** Of p50, p99 and the fastest, only p50 is a figure to compare: p99 of a few applies is one slow apply. */
function applied(name: string, samples: readonly number[]): Results {
  const ms = (value: number) => `${Math.round(value)} ms`;
  const p50 = Math.round(percentile(samples, 50));
  const row = {
    figure: `kubectl apply of a ${replicas}-replica Deployment to all pods Running on the virtual node, ${name}: p50 / p99`,
    value:
      `${ms(p50)} / ${ms(percentile(samples, 99))} ` +
      `(${samples.length} applies, the fastest ${ms(Math.min(...samples))})`,
  };
  return { rows: [row], figures: [milliseconds(`apply to Running ${name} p50`, p50)] };
}
