// Self-registration: the two webhook configurations carry the caBundle of the CA in --cert-dir.
// A configuration that exists gets a JSON Patch of its caBundles only (nothing else an operator
// tuned is touched); one that does not is created from deploy/webhook-configurations.yaml.
import { AdmissionregistrationV1Api, ApiException, type KubeConfig } from '@kubernetes/client-node';
import type { WebhookConfigurations } from './webhook-configurations.js';

export type RegistrationAction = 'created' | 'patched' | 'unchanged';

export interface Registration {
  readonly kind: string;
  readonly name: string;
  readonly action: RegistrationAction;
}

/** What both kinds share, as far as registration cares. */
interface WebhookConfiguration {
  metadata?: { name?: string };
  webhooks?: Array<{ name: string; clientConfig: { caBundle?: string } }>;
}

interface JsonPatchOperation {
  op: 'add' | 'test';
  path: string;
  value: string;
}

/** The calls that differ between the two kinds, side by side. */
interface KindApi {
  readonly kind: string;
  read(name: string): Promise<WebhookConfiguration>;
  create(body: WebhookConfiguration): Promise<unknown>;
  patch(name: string, operations: JsonPatchOperation[]): Promise<unknown>;
}

export async function registerWebhooks(
  config: KubeConfig,
  caBundle: string,
  configurations: WebhookConfigurations,
): Promise<Registration[]> {
  const api = config.makeApiClient(AdmissionregistrationV1Api);
  // The generated client types each call's body exactly; the shared subset is what is sent.
  const mutating: KindApi = {
    kind: 'MutatingWebhookConfiguration',
    read: (name) => api.readMutatingWebhookConfiguration({ name }),
    create: (body) => api.createMutatingWebhookConfiguration({ body: body as typeof configurations.mutating }),
    patch: (name, body) => api.patchMutatingWebhookConfiguration({ name, body }),
  };
  const validating: KindApi = {
    kind: 'ValidatingWebhookConfiguration',
    read: (name) => api.readValidatingWebhookConfiguration({ name }),
    create: (body) => api.createValidatingWebhookConfiguration({ body: body as typeof configurations.validating }),
    patch: (name, body) => api.patchValidatingWebhookConfiguration({ name, body }),
  };
  return [
    await register(mutating, configurations.mutating, caBundle),
    await register(validating, configurations.validating, caBundle),
  ];
}

async function register(api: KindApi, wanted: WebhookConfiguration, caBundle: string): Promise<Registration> {
  const name = wanted.metadata?.name ?? '';
  const existing = await readIfExists(api, name);
  if (existing === undefined) {
    await api.create(withCaBundle(wanted, caBundle));
    return { kind: api.kind, name, action: 'created' };
  }
  const operations = (existing.webhooks ?? []).flatMap((webhook, index): JsonPatchOperation[] =>
    webhook.clientConfig.caBundle === caBundle
      ? []
      : [
          // The test keeps a concurrent reorder (another replica, an operator) from patching the
          // wrong webhook: the patch then fails as a whole and is retried.
          { op: 'test', path: `/webhooks/${index}/name`, value: webhook.name },
          { op: 'add', path: `/webhooks/${index}/clientConfig/caBundle`, value: caBundle },
        ],
  );
  if (operations.length === 0) return { kind: api.kind, name, action: 'unchanged' };
  await api.patch(name, operations);
  return { kind: api.kind, name, action: 'patched' };
}

async function readIfExists(api: KindApi, name: string): Promise<WebhookConfiguration | undefined> {
  try {
    return await api.read(name);
  } catch (error) {
    if (error instanceof ApiException && error.code === 404) return undefined;
    throw error;
  }
}

function withCaBundle(configuration: WebhookConfiguration, caBundle: string): WebhookConfiguration {
  return {
    ...configuration,
    webhooks: (configuration.webhooks ?? []).map((webhook) => ({
      ...webhook,
      clientConfig: { ...webhook.clientConfig, caBundle },
    })),
  };
}
