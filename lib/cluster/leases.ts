// The Lease of leader election (leader-election.ts) over the API: raw JSON through api-requests,
// because a PUT of client-node's typed V1Lease would drop the fields its model does not know (a
// newer API server's), and the election writes the Lease back whole.
import { parsed, type Answer, type ApiClient } from './api-requests.js';
import type { LeaseClient, StoredLease } from './leader-election.js';

export function leaseClient(api: ApiClient, where: { readonly namespace: string; readonly name: string }): LeaseClient {
  const collection = `/apis/coordination.k8s.io/v1/namespaces/${where.namespace}/leases`;
  const path = `${collection}/${where.name}`;
  const name = `${where.namespace}/${where.name}`;
  return {
    name,
    get: async () => {
      const answer = await api.send('GET', path);
      return answer.status === 404 ? undefined : parsed<StoredLease>(answer, `get Lease ${name}`);
    },
    create: async (spec) => {
      const lease = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: where, spec };
      return unlessConflict(await api.send('POST', collection, {}, json(lease)), `create Lease ${name}`);
    },
    update: async (lease) => unlessConflict(await api.send('PUT', path, {}, json(lease)), `update Lease ${name}`),
  };
}

/** 409 is another candidate's write: the Lease exists already, or changed since it was read. */
function unlessConflict(answer: Answer, what: string): StoredLease | undefined {
  return answer.status === 409 ? undefined : parsed<StoredLease>(answer, what);
}

function json(body: unknown) {
  return { type: 'application/json', text: JSON.stringify(body) };
}
