// List/watch of the two things the policy context needs from the cluster: the eci-profile
// ConfigMap and the labels of every Namespace. Informers from @kubernetes/client-node; on error
// they are restarted after a pause that doubles up to a cap, spread at random so that replicas
// (and the two informers) do not retry in step; the last state stays in use meanwhile.
import {
  ADD,
  CoreV1Api,
  DELETE,
  ERROR,
  ListWatch,
  UPDATE,
  Watch,
  type KubeConfig,
  type KubernetesObject,
  type V1ConfigMap,
  type V1Namespace,
} from '@kubernetes/client-node';
import type { Labels } from '../policy/context.js';

export interface ClusterEvents {
  /** The eci-profile ConfigMap as it is now; undefined when there is none. */
  profile(configMap: V1ConfigMap | undefined): void;
  namespaces(labels: ReadonlyMap<string, Labels>): void;
  /** Both lists have succeeded once: the context reflects the cluster. */
  synced(): void;
  /** A list or watch failed; it is retried. */
  error(source: string, error: unknown): void;
  /** A list succeeded again after errors. */
  recovered(source: string): void;
}

/** The pause before the first retry, and the longest one. */
export interface Backoff {
  readonly firstMs: number;
  readonly maxMs: number;
}

/** One second, doubling to a minute: an API server back from an outage is not stampeded. */
export const defaultBackoff: Backoff = { firstMs: 1000, maxMs: 60_000 };

/** The pause before retry `attempt` (0 first): between half and all of the capped doubling. */
export function retryDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.maxMs, backoff.firstMs * 2 ** Math.min(attempt, 32));
  return ceiling / 2 + (random() * ceiling) / 2;
}

export interface ClusterWatch {
  stop(): Promise<void>;
}

const profileName = 'eci-profile';
const profileNamespace = 'kube-system';

export function watchCluster(config: KubeConfig, events: ClusterEvents, backoff: Backoff = defaultBackoff): ClusterWatch {
  const core = config.makeApiClient(CoreV1Api);
  const watch = new Watch(config);
  const fieldSelector = `metadata.name=${profileName}`;
  const profile = new ListWatch<V1ConfigMap>(
    `/api/v1/namespaces/${profileNamespace}/configmaps`,
    watch,
    () => core.listNamespacedConfigMap({ namespace: profileNamespace, fieldSelector }),
    false,
    undefined,
    fieldSelector,
  );
  const namespaces = new ListWatch<V1Namespace>('/api/v1/namespaces', watch, () => core.listNamespace(), false);
  const synced = new Set<string>();
  const informers = [
    run('eci-profile', profile, (items) => events.profile(items.find((item) => item.metadata?.name === profileName))),
    run('namespaces', namespaces, (items) => events.namespaces(new Map(items.map((ns) => [ns.metadata?.name ?? '', ns.metadata?.labels ?? {}])))),
  ];

  function run<T extends KubernetesObject>(name: string, informer: ListWatch<T>, publish: (items: readonly T[]) => void) {
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;
    let failures = 0;
    const changed = () => publish(informer.list());
    for (const verb of [ADD, UPDATE, DELETE] as const) informer.on(verb, changed);
    informer.on(ERROR, (error) => {
      events.error(name, error);
      clearTimeout(timer);
      if (!stopped) timer = setTimeout(() => void start(), retryDelay(failures++, backoff));
    });
    async function start(): Promise<void> {
      await informer.start();
      // start() resolves after the list (and the watch request) or after an error.
      if (stopped || informer.latestResourceVersion() === '') return;
      if (failures > 0) events.recovered(name);
      failures = 0;
      changed();
      synced.add(name);
      if (synced.size === informers.length) events.synced();
    }
    void start();
    return {
      stop: async () => {
        stopped = true;
        clearTimeout(timer);
        await informer.stop();
      },
    };
  }

  return { stop: async () => void (await Promise.all(informers.map((informer) => informer.stop()))) };
}
