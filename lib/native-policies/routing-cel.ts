// Virtual-node routing as a MutatingAdmissionPolicy (admissionregistration.k8s.io/v1beta1, beta
// in Kubernetes 1.34): the label routing of lib/policy/mutate.ts, written from routing.ts's data.
// What it cannot do is listed by the caller: eci-profile selectors, and the warnings.
import type { V1MutatingWebhook, V1Toleration } from '@kubernetes/client-node';
import type { RoutingFlavour } from '../facts.js';
import { namespaceLabels, podLabels, virtualNodeRouting, type RoutingLabel } from '../policy/routing.js';
import { labelTests, literal } from './cel.js';
import { admissionObject } from './objects.js';

const labelTest = (map: string, labels: readonly RoutingLabel[]) => `(has(${map}) && (${labelTests(map, labels)}))`;

/** Kubernetes' own rule, as mutate.ts's `tolerates`: does `t` already tolerate the taint? */
function toleratesTest(wanted: V1Toleration): string {
  const effect = `(!has(t.effect) || t.effect == '' || t.effect == ${literal(wanted.effect!)})`;
  const exists = `(!has(t.key) || t.key == '' || t.key == ${literal(wanted.key!)})`;
  const equal =
    `(has(t.key) && t.key == ${literal(wanted.key!)}` +
    ` && (has(t.value) ? t.value : '') == ${literal(wanted.value ?? '')})`;
  return `${effect} && (has(t.operator) && t.operator == 'Exists' ? ${exists} : ${equal})`;
}

function tolerationValue(toleration: V1Toleration): string {
  const fields = Object.entries(toleration).map(([field, value]) => `${field}: ${literal(value as string)}`);
  return `Object.spec.tolerations{${fields.join(', ')}}`;
}

/** The JSON Patch: absent nodeSelector keys, and the toleration unless one already covers the taint. */
function routingPatch(flavour: RoutingFlavour): string {
  const { nodeSelector, toleration } = virtualNodeRouting[flavour];
  const keys = Object.entries(nodeSelector).map(
    ([key, value]) =>
      `(${literal(key)} in object.spec.nodeSelector ? [] : [JSONPatch{op: 'add',` +
      ` path: '/spec/nodeSelector/' + jsonpatch.escapeKey(${literal(key)})` +
      `, value: ${literal(value)}}])`,
  );
  const selector =
    `(has(object.spec.nodeSelector) ? ${keys.join(' + ')}` +
    ` : [JSONPatch{op: 'add', path: '/spec/nodeSelector', value: ${mapLiteral(nodeSelector)}}])`;
  const value = tolerationValue(toleration);
  const tolerations =
    `(has(object.spec.tolerations) && object.spec.tolerations.exists(t, ${toleratesTest(toleration)}) ? [] : ` +
    `has(object.spec.tolerations) ? [JSONPatch{op: 'add', path: '/spec/tolerations/-', value: ${value}}]` +
    ` : [JSONPatch{op: 'add', path: '/spec/tolerations', value: [${value}]}])`;
  return `${selector} + ${tolerations}`;
}

function mapLiteral(map: Readonly<Record<string, string>>): string {
  return `{${Object.entries(map)
    .map(([key, value]) => `${literal(key)}: ${literal(value)}`)
    .join(', ')}}`;
}

/** The policy and its binding for new Pods, in the namespaces the mutating webhook sees. */
export function routingPolicy(
  flavour: RoutingFlavour,
  webhook: V1MutatingWebhook,
): { name: string; documents: object[] } {
  const name = 'eci-admission-routing';
  const policy = admissionObject('admissionregistration.k8s.io/v1beta1', 'MutatingAdmissionPolicy', name, {
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: webhook.rules },
    variables: [
      {
        name: 'routed',
        expression:
          `${labelTest('object.metadata.labels', podLabels)}` +
          ` || (namespaceObject != null && ${labelTest('namespaceObject.metadata.labels', namespaceLabels)})`,
      },
    ],
    // Other mutators may add the labels that route a pod: run again, as the webhook does.
    reinvocationPolicy: webhook.reinvocationPolicy ?? 'Never',
    mutations: [
      { patchType: 'JSONPatch', jsonPatch: { expression: `!variables.routed ? [] : ${routingPatch(flavour)}` } },
    ],
  });
  const binding = admissionObject('admissionregistration.k8s.io/v1beta1', 'MutatingAdmissionPolicyBinding', name, {
    policyName: name,
    matchResources: { namespaceSelector: webhook.namespaceSelector },
  });
  return { name, documents: [policy, binding] };
}
