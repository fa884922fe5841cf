// The rules as ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1): one policy and
// binding per rule that CEL can state, one more for the rules' warnings, and the list of what
// stays with the webhook and why. Pure: the caller reads the webhook configurations and writes.
import type { V1MutatingWebhook, V1ValidatingWebhook } from '@kubernetes/client-node';
import { WebhookConfigurationsError, type WebhookConfigurations } from '../cluster/webhook-configurations.js';
import { defaults, type ClusterMode, type Mode, type RoutingFlavour } from '../facts.js';
import { isFieldRule, type FieldRule } from '../policy/field-rule.js';
import type { Rule } from '../policy/rule.js';
import { routingFindings, rules } from '../policy/rules/index.js';
import { readSchema } from '../json-schema/files.js';
import { podTemplateKinds } from '../workload/kinds.js';
import {
  checkFindings,
  eciBoundVariable,
  kindName,
  listLiteral,
  literal,
  templateVariables,
  unchangedVariable,
  type Variable,
} from './cel.js';
import { podFieldsCel } from './pod-fields-cel.js';
import { routingPolicy } from './routing-cel.js';
import { admissionObject } from './objects.js';
import { schemaCel, type Uncovered } from './schema-cel.js';

/** Rules checked against a schema of schemas/, and the CEL map each reads. */
const schemaRules: Readonly<Record<string, { schema: string; data: string; fieldPrefix: string }>> = {
  'eci-annotations': { schema: 'eci-annotations', data: 'variables.annotations', fieldPrefix: 'annotations' },
  'acs-labels': {
    schema: 'acs-labels',
    data: "{'labels': variables.labels, 'annotations': variables.annotations}",
    fieldPrefix: '',
  },
};

/** Rules (and what the webhook does besides) that have no policy, and why. */
const cannotExpress: Readonly<Record<string, string>> = {
  'resource-policy':
    'a custom resource, typed by its CRD where the schema translation reads plain maps' +
    ' (and the CRD may be absent): not translated yet',
  'instance-limits':
    'vCPU and memory are summed over containers as ECI sizes the instance' +
    ' (each its limit, else its request, native sidecars added, the largest init container alone): not translated yet',
  'annotation-placement': "a warning about ECI annotation keys on a workload's own metadata: not translated yet",
  'billed-spec':
    "rounding the containers' sum up through the tables of ECI specifications" +
    " is a search over 100 specs per pod, past what a policy's CEL cost budget is for: webhook only",
  'eci-profile':
    'the selectors are JSON inside a ConfigMap string: CEL has no JSON parser' +
    ', and a refused profile must keep the last good one, which only the webhook remembers',
  [routingFindings.id]:
    'eci-profile selector effects and routing by selector need the eci-profile, which a policy cannot read' +
    '; routing by label is the MutatingAdmissionPolicy of --mutating (beta)' +
    ', which cannot warn about legacy labels or a conflicting nodeSelector,' +
    ' and writes no eci-admission/injected record',
};

export interface PolicyOptions {
  readonly mode: Mode;
  readonly clusterMode: ClusterMode;
  /** Rule ids to include; all that CEL can state when empty. */
  readonly rules: readonly string[];
  /** The `validate` webhook of deploy/webhook-configurations.yaml: resources and namespace exclusions. */
  readonly webhook: V1ValidatingWebhook;
  /** Also virtual-node routing as a MutatingAdmissionPolicy, for the `mutate` webhook's pods. */
  readonly routing?: { readonly flavour: RoutingFlavour; readonly webhook: V1MutatingWebhook };
}

export interface PolicySet {
  /** Each policy followed by its binding, named `eci-admission-<rule id>`. */
  readonly manifests: ReadonlyArray<{ readonly name: string; readonly documents: readonly object[] }>;
  /** What the webhook checks and these policies do not. */
  readonly uncovered: readonly Uncovered[];
}

interface Validation {
  readonly expression: string;
  readonly messageExpression: string;
}

interface RulePolicy {
  readonly rule: Rule;
  readonly variables: readonly Variable[];
  readonly deny: readonly Validation[];
  readonly warn: readonly Validation[];
  readonly uncovered: readonly Uncovered[];
}

export function policies(options: PolicyOptions): PolicySet {
  const chosen = rules.filter(
    (rule) => hasPolicy(rule) && (options.rules.length === 0 || options.rules.includes(rule.id)),
  );
  const built = chosen.map(rulePolicy);
  const warnings = built.filter((policy) => policy.warn.length > 0);
  const denyAction = { enforce: 'Deny', warn: 'Warn', audit: 'Audit' }[options.mode];
  const manifests = [
    // A rule that only warns has all its checks in the warnings policy: a policy needs a validation.
    ...built
      .filter((policy) => policy.deny.length > 0)
      .map((policy) =>
        policyAndBinding(policy.rule.id, [policy.rule], policy.variables, policy.deny, denyAction, options),
      ),
    ...(warnings.length === 0
      ? []
      : [
          policyAndBinding(
            'warnings',
            warnings.map((p) => p.rule),
            warnings.flatMap((p) => p.variables),
            warnings.flatMap((p) => p.warn),
            options.mode === 'audit' ? 'Audit' : 'Warn',
            options,
          ),
        ]),
    ...(options.routing ? [routingPolicy(options.routing.flavour, options.routing.webhook)] : []),
  ];
  const left = rules
    .filter((rule) => !hasPolicy(rule))
    .map((rule) => ({ field: rule.id, reason: cannotExpress[rule.id] ?? 'no CEL form' }));
  return {
    manifests,
    uncovered: [
      ...left,
      { field: routingFindings.id, reason: cannotExpress[routingFindings.id]! },
      ...built.flatMap((policy) => policy.uncovered),
      ...(options.clusterMode === 'hybrid'
        ? [
            {
              field: 'eci-profile selectors',
              reason:
                'in hybrid mode a pod that only an eci-profile selector sends to ECI' +
                ' is not seen as ECI-bound: the policies cannot read the profile',
            },
          ]
        : []),
    ],
  };
}

/** The webhook whose resources and namespace exclusions the validating policies copy. */
export function validateWebhook(configurations: WebhookConfigurations): V1ValidatingWebhook {
  return webhookNamed(configurations.validating.webhooks, 'validate.eci-admission.svc');
}

/** The webhook whose resources, namespace exclusions and reinvocation the routing policy copies. */
export function mutateWebhook(configurations: WebhookConfigurations): V1MutatingWebhook {
  return webhookNamed(configurations.mutating.webhooks, 'mutate.eci-admission.svc');
}

function webhookNamed<T extends { name: string }>(webhooks: readonly T[] | undefined, name: string): T {
  const webhook = webhooks?.find((w) => w.name === name);
  if (webhook === undefined) throw new WebhookConfigurationsError(`the webhook configurations have no ${name}`);
  return webhook;
}

/** What deploy/policies holds: every rule, enforced, in a serverless cluster. */
export function defaultPolicies(configurations: WebhookConfigurations): PolicySet {
  return policies({
    mode: defaults.mode,
    clusterMode: defaults.clusterMode,
    rules: [],
    webhook: validateWebhook(configurations),
  });
}

export function hasPolicy(rule: Rule): boolean {
  return isFieldRule(rule) || rule.id in schemaRules || rule.id in podFieldsCel;
}

/** The rule's findings as variables (field rules, rules written as CEL) or its schema's validations. */
function rulePolicy(rule: Rule): RulePolicy {
  if (isFieldRule(rule)) return fieldRulePolicy(rule);
  const written = podFieldsCel[rule.id];
  if (written) return findingsPolicy(rule, [{ ...written, name: variableName(rule.id) }]);
  const { schema, data, fieldPrefix } = schemaRules[rule.id]!;
  const cel = schemaCel(readSchema(schema), data, fieldPrefix);
  const validation = (expression: string, field: string, message: string): Validation => ({
    expression,
    messageExpression:
      `${literal(`${rule.id}: `)} + variables.metadataPath + ${literal(`.${field}: `)}` +
      ` + ${message} + ${literal(`; ${rule.workaround}`)}`,
  });
  const of = (severity: 'deny' | 'warn') =>
    cel.validations.filter((v) => v.severity === severity).map((v) => validation(v.expression, v.field, v.message));
  return {
    rule,
    variables: [],
    deny: of('deny'),
    warn: of('warn'),
    uncovered: cel.uncovered.map((u) => ({ field: `${rule.id} ${u.field}`, reason: u.reason })),
  };
}

/** One variable per check holding its findings as strings. */
function fieldRulePolicy(rule: FieldRule): RulePolicy {
  const checks = rule.fields.map((check, index) => ({
    name: variableName(rule.id, index),
    findings: checkFindings(rule, check),
    severity: check.severity ?? 'deny',
  }));
  return findingsPolicy(rule, checks);
}

/** `host_port_0` of host-port's first check; `downward_api` of a rule that is one list. */
function variableName(id: string, index?: number): string {
  return [id.replace(/-/g, '_'), ...(index === undefined ? [] : [index])].join('_');
}

interface Findings {
  readonly name: string;
  readonly findings: string;
  readonly severity: 'deny' | 'warn';
}

/** Each variable holds findings as strings, and its validation wants it empty. */
function findingsPolicy(rule: Rule, checks: readonly Findings[]): RulePolicy {
  const of = (severity: 'deny' | 'warn') =>
    checks
      .filter((check) => check.severity === severity)
      .map(({ name }) => ({
        expression: `size(variables.${name}) == 0`,
        messageExpression: `variables.${name}.join('; ')`,
      }));
  const variables = checks.map(({ name, findings }) => ({ name, expression: findings }));
  return { rule, variables, deny: of('deny'), warn: of('warn'), uncovered: [] };
}

/** The kinds a rule judges, as `object.kind` names them. */
function kindsOf(rule: Rule): string[] {
  return (rule.target === 'pod' ? podTemplateKinds().map(([kind]) => kind) : rule.kinds).map(kindName);
}

function policyAndBinding(
  id: string,
  judged: readonly Rule[],
  variables: readonly Variable[],
  validations: readonly Validation[],
  action: string,
  options: PolicyOptions,
): { name: string; documents: object[] } {
  const name = `eci-admission-${id}`;
  // What is not judged passes: an UPDATE that changes nothing the rules read, and in hybrid
  // mode what does not run on ECI.
  const skipped = ['variables.unchanged', ...(options.clusterMode === 'hybrid' ? ['!variables.eciBound'] : [])].join(
    ' || ',
  );
  const policy = admissionObject('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy', name, {
    // A policy runs in the API server, so it is never unreachable: an error is a bug in an
    // expression, and Fail makes it seen instead of silently admitting.
    failurePolicy: 'Fail',
    matchConstraints: { resourceRules: options.webhook.rules },
    matchConditions: [
      { name: 'judged-kinds', expression: `object.kind in ${listLiteral([...new Set(judged.flatMap(kindsOf))])}` },
    ],
    variables: [
      ...templateVariables,
      unchangedVariable,
      ...(options.clusterMode === 'hybrid' ? [eciBoundVariable] : []),
      ...variables,
    ],
    validations: validations.map((validation) => ({
      expression: `${skipped} || (${validation.expression})`,
      messageExpression: validation.messageExpression,
      reason: 'Forbidden',
    })),
  });
  const binding = admissionObject('admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicyBinding', name, {
    policyName: name,
    validationActions: [action],
    matchResources: { namespaceSelector: options.webhook.namespaceSelector },
  });
  return { name, documents: [policy, binding] };
}
