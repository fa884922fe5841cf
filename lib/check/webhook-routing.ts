// Which webhooks the API server would call for an object: the rules, namespaceSelector and
// objectSelector of the webhook configurations in deploy/, evaluated offline. A webhook's
// matchConditions (CEL) are not evaluated: such a webhook is taken as called, and the rules
// themselves decide (the profiles webhook's conditions only narrow ConfigMaps to the profiles,
// which the eci-profile rule does too).
import type { KubernetesObject, V1LabelSelector, V1RuleWithOperations } from '@kubernetes/client-node';
import type { Operation } from '../admission/review.js';
import { readWebhookConfigurations, webhookConfigurationsFile } from '../cluster/webhook-configurations.js';
import { webhookPaths, type WebhookPath } from '../facts.js';
import type { Labels } from '../policy/context.js';
import { compileLabelSelector, type LabelMatcher } from '../profile/label-selector.js';
import { groupVersionKindOf, resourceOf } from '../workload/kinds.js';
import { recordOrEmpty } from '../workload/pod-template.js';

/** A webhook of the configurations, with its selectors compiled. */
interface ConfiguredWebhook {
  readonly path: WebhookPath;
  readonly rules: readonly V1RuleWithOperations[];
  readonly matchesNamespace: LabelMatcher;
  readonly matchesObject: LabelMatcher;
}

export interface WebhookRouting {
  /** The webhook paths called for `object`, given its namespace's labels. */
  pathsFor(object: KubernetesObject, operation: Operation, namespaceLabels: Labels): ReadonlySet<WebhookPath>;
}

export function loadWebhookRouting(file: string = webhookConfigurationsFile): WebhookRouting {
  const { mutating, validating } = readWebhookConfigurations(file);
  const webhooks = [...(mutating.webhooks ?? []), ...(validating.webhooks ?? [])].map((webhook) =>
    webhookOf(recordOrEmpty(webhook)),
  );
  return {
    pathsFor: (object, operation, namespaceLabels) =>
      new Set(
        webhooks.filter((webhook) => calls(webhook, object, operation, namespaceLabels)).map((webhook) => webhook.path),
      ),
  };
}

const paths: readonly unknown[] = Object.values(webhookPaths);
const isWebhookPath = (path: unknown): path is WebhookPath => paths.includes(path);

function webhookOf(webhook: Record<string, unknown>): ConfiguredWebhook {
  const path = recordOrEmpty(recordOrEmpty(webhook.clientConfig).service).path;
  if (!isWebhookPath(path)) throw new Error(`webhook ${String(webhook.name)}: unknown path ${String(path)}`);
  return {
    path,
    rules: (webhook.rules ?? []) as V1RuleWithOperations[],
    matchesNamespace: compileLabelSelector(webhook.namespaceSelector as V1LabelSelector | undefined),
    matchesObject: compileLabelSelector(webhook.objectSelector as V1LabelSelector | undefined),
  };
}

function calls(
  webhook: ConfiguredWebhook,
  object: KubernetesObject,
  operation: Operation,
  namespaceLabels: Labels,
): boolean {
  const { group, version, kind } = groupVersionKindOf(object);
  const resource = resourceOf(group, kind) ?? '';
  const listed = (values: readonly string[] | undefined, value: string) =>
    values !== undefined && (values.includes('*') || values.includes(value));
  return (
    webhook.rules.some(
      (rule) =>
        listed(rule.apiGroups, group) &&
        listed(rule.apiVersions, version) &&
        listed(rule.operations, operation) &&
        listed(rule.resources, resource),
    ) &&
    webhook.matchesNamespace(namespaceLabels) &&
    webhook.matchesObject(object.metadata?.labels)
  );
}
