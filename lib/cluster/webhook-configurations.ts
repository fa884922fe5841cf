// The webhook configurations shipped in deploy/webhook-configurations.yaml: one file routes
// objects for the cluster, for registration and for the offline check.
import { readFileSync } from 'node:fs';
import type { V1MutatingWebhookConfiguration, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { packagePath } from '../facts.js';

export const webhookConfigurationsFile = packagePath('deploy/webhook-configurations.yaml');

export interface WebhookConfigurations {
  readonly mutating: V1MutatingWebhookConfiguration;
  readonly validating: V1ValidatingWebhookConfiguration;
}

export class WebhookConfigurationsError extends Error {
  override name = 'WebhookConfigurationsError';
}

export function readWebhookConfigurations(path: string = webhookConfigurationsFile): WebhookConfigurations {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new WebhookConfigurationsError(`cannot read ${path}: ${(error as Error).message}`);
  }
  const documents = parseAllDocuments(text).map((document) => document.toJS() as { kind?: string } | null);
  const find = <T>(kind: string): T => {
    const found = documents.find((document) => document?.kind === kind);
    if (found === undefined) throw new WebhookConfigurationsError(`${path} has no ${kind}`);
    return found as T;
  };
  return {
    mutating: find<V1MutatingWebhookConfiguration>('MutatingWebhookConfiguration'),
    validating: find<V1ValidatingWebhookConfiguration>('ValidatingWebhookConfiguration'),
  };
}
