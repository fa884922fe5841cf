// A steady load of pod creations through the API server, for the fault tests: pods created at a
// fixed offered rate (open loop: a slow answer does not slow the next creation), each answer kept,
// so a test counts the pods that were created without the mutation (no `eci-admission/injected`
// record in the stored pod the API server returns) and the creations that failed. Bounded: it
// stops when told or after `maxSeconds`, and holds at most `maxInFlight` requests.
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse } from 'yaml';
import { injectedAnnotation } from '../lib/policy/injected.js';
import { adminKubeconfig } from './paths.js';

export interface Creation {
  /** When the creation was sent, in ms since the load started. */
  readonly at: number;
  readonly ms: number;
  /** The HTTP status, or 0 when no answer came (the error is in `error`). */
  readonly status: number;
  readonly mutated: boolean;
  readonly error?: string;
}

export interface LoadResult {
  readonly creations: readonly Creation[];
  /** Created without the mutation. */
  readonly missed: readonly Creation[];
  /** Not created. */
  readonly failed: readonly Creation[];
}

export interface RunningLoad {
  /** Stops offering new creations, waits for those in flight and returns every answer. */
  stop(): Promise<LoadResult>;
}

interface Kubeconfig {
  clusters: Array<{ cluster: { server: string; 'certificate-authority-data': string } }>;
  users: Array<{ user: { token: string } }>;
}

const maxInFlight = 200;

export function startPodLoad(options: {
  readonly namespace: string;
  readonly perSecond: number;
  readonly maxSeconds: number;
  readonly labels?: Record<string, string>;
}): RunningLoad {
  const config = parse(readFileSync(adminKubeconfig, 'utf8')) as Kubeconfig;
  const server = new URL(config.clusters[0]!.cluster.server);
  const ca = Buffer.from(config.clusters[0]!.cluster['certificate-authority-data'], 'base64');
  // As a controller's client: a few kept-alive connections to the API server.
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca });
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'load-', labels: { app: 'load', ...options.labels } },
    spec: {
      // Left unbound: no node's work on thousands of pods skews what admission costs.
      schedulerName: 'e2e-unscheduled',
      containers: [{ name: 'app', image: 'nginx', resources: { requests: { cpu: '250m', memory: '256Mi' } } }],
    },
  });
  const create = (at: number): Promise<Creation> =>
    new Promise((resolve) => {
      const sent = performance.now();
      const req = request(
        {
          host: server.hostname,
          port: server.port,
          method: 'POST',
          path: `/api/v1/namespaces/${options.namespace}/pods`,
          agent,
          headers: { authorization: `Bearer ${config.users[0]!.user.token}`, 'content-type': 'application/json' },
          timeout: 30_000,
        },
        (res) => {
          let text = '';
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const created = status === 201 ? (JSON.parse(text) as { metadata?: { annotations?: object } }) : undefined;
            const mutated =
              created?.metadata?.annotations !== undefined && injectedAnnotation in created.metadata.annotations;
            resolve({
              at,
              ms: performance.now() - sent,
              status,
              mutated,
              ...(created ? {} : { error: text.slice(0, 300) }),
            });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error('no answer in 30 s')));
      req.on('error', (error) =>
        resolve({ at, ms: performance.now() - sent, status: 0, mutated: false, error: error.message }),
      );
      req.end(body);
    });

  const creations: Promise<Creation>[] = [];
  let stopped = false;
  let inFlight = 0;
  const start = performance.now();
  const offered = (async () => {
    const intervalMs = 1000 / options.perSecond;
    for (let i = 0; !stopped && performance.now() - start < options.maxSeconds * 1000; i++) {
      const due = start + i * intervalMs;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      if (inFlight >= maxInFlight) continue;
      inFlight++;
      creations.push(create(Math.round(due - start)).finally(() => inFlight--));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await offered;
      const all = await Promise.all(creations);
      agent.destroy();
      return {
        creations: all,
        missed: all.filter((c) => c.status === 201 && !c.mutated),
        failed: all.filter((c) => c.status !== 201),
      };
    },
  };
}
