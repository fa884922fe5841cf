// List/watch of the two things the policy context needs from the cluster: the eci-profile
// ConfigMap and the labels of every Namespace. Informers from @kubernetes/client-node; on error
// they are restarted after a pause, and the last state stays in use meanwhile.
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
  error(source: string, error: unknown): void;
}

export interface ClusterWatch {
  stop(): Promise<void>;
}

const profileName = 'eci-profile';
const profileNamespace = 'kube-system';

export function watchCluster(config: KubeConfig, events: ClusterEvents, retryMs = 2000): ClusterWatch {
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
    const changed = () => publish(informer.list());
    for (const verb of [ADD, UPDATE, DELETE] as const) informer.on(verb, changed);
    informer.on(ERROR, (error) => {
      events.error(name, error);
      if (!stopped) timer = setTimeout(() => void start(), retryMs);
    });
    async function start(): Promise<void> {
      await informer.start();
      // start() resolves after the list (and the watch request) or after an error.
      if (stopped || informer.latestResourceVersion() === '') return;
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
