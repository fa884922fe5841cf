// The EndpointSlice of the webhook's Service, as the EndpointSlice controller writes one: an
// endpoint per replica, ready while its readiness probe passes. The Service of deploy/ keeps its
// selector; no pod matches it here, so the controller's own slice stays empty and the API server's
// resolver, which reads every slice labelled with the Service's name, finds the replicas in this one.
import { webhookService } from '../lib/facts.js';
import { kubectl, kubectlOk } from './kubectl.js';

const sliceName = `${webhookService.name}-e2e`;

export interface PublishedEndpoint {
  readonly address: string;
  readonly ready: boolean;
}

interface Slice {
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean } }>;
}

/** The slice as the API server has it now (none yet: no endpoint). */
export async function publishedEndpoints(): Promise<PublishedEndpoint[]> {
  const got = await kubectl(['get', 'endpointslice', sliceName, '-n', webhookService.namespace, '-o', 'json']);
  if (got.code !== 0) return [];
  return ((JSON.parse(got.stdout) as Slice).endpoints ?? []).map((endpoint) => ({
    address: endpoint.addresses[0]!,
    ready: endpoint.conditions?.ready ?? true,
  }));
}

/** Writes the slice with these endpoints on the Service's port `https`, at `targetPort`. */
export async function publishEndpoints(endpoints: readonly PublishedEndpoint[], targetPort: number): Promise<void> {
  const slice = {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: sliceName,
      namespace: webhookService.namespace,
      labels: {
        'kubernetes.io/service-name': webhookService.name,
        // Not the controller's value, so the EndpointSlice controller leaves this slice alone.
        'endpointslice.kubernetes.io/managed-by': 'e2e.eci-admission',
      },
    },
    addressType: 'IPv4',
    ports: [{ name: 'https', port: targetPort, protocol: 'TCP' }],
    endpoints: endpoints.map(({ address, ready }) => ({
      addresses: [address],
      conditions: { ready, serving: ready, terminating: false },
    })),
  };
  await kubectlOk(['apply', '--server-side', '--force-conflicts', '--field-manager=e2e-endpoints', '-f', '-'], {
    input: JSON.stringify(slice),
  });
}
