// The cluster as `scan` reads it, as raw JSON (lib/cluster/api-requests.ts), which is what the API
// server sends the webhook. client-node's typed lists would drop any field its models do not know yet, and a
// finding on such a field with it. Every failure is one line naming the verb and the resource.
import type { KubeConfig, KubernetesObject, V1ConfigMap, V1Namespace } from '@kubernetes/client-node';
import type { Labels } from '../policy/context.js';
import type { ClusterReader, ListPage, PageRequest } from '../scan/scan.js';
import type { ScanTarget } from '../scan/targets.js';
import { apiClient, parsed } from './api-requests.js';

interface ListBody {
  items?: KubernetesObject[];
  metadata?: { continue?: string };
}

export function clusterReader(config: KubeConfig): ClusterReader {
  const api = apiClient(config);
  const get = (path: string, query: Record<string, string | number | undefined> = {}) => api.send('GET', path, query);
  return {
    async list(target: ScanTarget, request: PageRequest): Promise<ListPage | undefined> {
      const namespaced = request.namespace ? `namespaces/${request.namespace}/` : '';
      const path = `${target.groupVersionPath}/${namespaced}${target.plural}`;
      const query = { limit: request.limit, continue: request.continue, labelSelector: request.labelSelector };
      const answer = await get(path, query);
      if (answer.status === 404 && target.optional) return undefined;
      if (answer.status === 410)
        throw new Error(`the list of ${target.resource} expired while paging (410 Gone): run the scan again`);
      const body = parsed<ListBody>(answer, `list ${target.resource}${where(request.namespace)}`);
      return { items: body.items ?? [], ...(body.metadata?.continue ? { continue: body.metadata.continue } : {}) };
    },
    async configMap(namespace: string, name: string): Promise<V1ConfigMap | undefined> {
      const answer = await get(`/api/v1/namespaces/${namespace}/configmaps/${name}`);
      return answer.status === 404 ? undefined : parsed<V1ConfigMap>(answer, `get configmaps ${namespace}/${name}`);
    },
    async namespaceLabels(name: string | undefined, limit: number): Promise<Map<string, Labels>> {
      const labels = new Map<string, Labels>();
      const add = (namespace: V1Namespace) =>
        labels.set(namespace.metadata?.name ?? '', namespace.metadata?.labels ?? {});
      if (name !== undefined) {
        const answer = await get(`/api/v1/namespaces/${name}`);
        if (answer.status !== 404) add(parsed<V1Namespace>(answer, `get namespaces ${name}`));
        return labels;
      }
      let token: string | undefined;
      do {
        const page = parsed<ListBody>(await get('/api/v1/namespaces', { limit, continue: token }), 'list namespaces');
        (page.items ?? []).forEach(add);
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
      return labels;
    },
  };
}

function where(namespace: string | undefined): string {
  return namespace ? ` in namespace ${namespace}` : ' in every namespace';
}
