// List/watch of what the policy context needs from the cluster: the profile ConfigMaps (the
// acs-profile and the eci-profile, lib/profile/locations.ts) and the labels of every Namespace.
// Informers from @kubernetes/client-node; on error they are restarted after a pause that doubles
// up to a cap, spread at random so that replicas (and the informers) do not retry in step; the
// last state stays in use meanwhile.
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
import { locationName, profileLocations, type ProfileLocation } from '../profile/locations.js';
import { defaultBackoff, retryDelay, type Backoff } from './backoff.js';

export interface ClusterEvents {
  /** The profile ConfigMap at `location` as it is now; undefined when there is none. */
  profile(location: ProfileLocation, configMap: V1ConfigMap | undefined): void;
  namespaces(labels: ReadonlyMap<string, Labels>): void;
  /** Every list has succeeded once: the context reflects the cluster. */
  synced(): void;
  /** A list or watch failed; it is retried. */
  error(source: string, error: unknown): void;
  /** A list succeeded again after errors. */
  recovered(source: string): void;
}

export interface ClusterWatch {
  stop(): Promise<void>;
}

export function watchCluster(
  config: KubeConfig,
  events: ClusterEvents,
  backoff: Backoff = defaultBackoff,
): ClusterWatch {
  const core = config.makeApiClient(CoreV1Api);
  const watch = new Watch(config);
  // One informer per profile: the RBAC grants list and watch by name, which the API server
  // authorizes only with a field selector naming exactly one object.
  const profileInformer = (location: ProfileLocation) => {
    const fieldSelector = `metadata.name=${location.name}`;
    const informer = new ListWatch<V1ConfigMap>(
      `/api/v1/namespaces/${location.namespace}/configmaps`,
      watch,
      () => core.listNamespacedConfigMap({ namespace: location.namespace, fieldSelector }),
      false,
      undefined,
      fieldSelector,
    );
    return run(locationName(location), informer, (items) =>
      events.profile(
        location,
        items.find((item) => item.metadata?.name === location.name),
      ),
    );
  };
  const namespaces = new ListWatch<V1Namespace>('/api/v1/namespaces', watch, () => core.listNamespace(), false);
  const synced = new Set<string>();
  const informers = [
    ...profileLocations.map(profileInformer),
    run('namespaces', namespaces, (items) =>
      events.namespaces(new Map(items.map((ns) => [ns.metadata?.name ?? '', ns.metadata?.labels ?? {}]))),
    ),
  ];

  function run<T extends KubernetesObject>(
    name: string,
    informer: ListWatch<T>,
    publish: (items: readonly T[]) => void,
  ) {
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
