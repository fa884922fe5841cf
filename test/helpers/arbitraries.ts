// fast-check generators of admission requests: plausible objects of every handled kind, then
// mutated with garbage (wrong types, huge strings, deep nesting, keys with unicode, `/` and `~`).
import type { KubernetesObject } from '@kubernetes/client-node';
import fc from 'fast-check';
import type { AdmissionRequest, Operation } from '../../lib/admission/review.js';
import { policyContext, type PolicyContext } from '../../lib/policy/context.js';
import { parseProfile, type Profile } from '../../lib/profile/profile.js';

/** The number of cases for each property: modest in `npm test`, FUZZ_RUNS=100000 for a long run. */
export const fuzzRuns = (modest: number): number => Number(process.env.FUZZ_RUNS ?? modest);

/** Keys as JSON Pointer escapes and label prefixes make them: `/`, `~`, unicode, the prototype's names. */
const key = fc.oneof(
  fc.constantFrom(
    'app',
    'team',
    'tier',
    'alibabacloud.com/eci',
    'eci',
    'k8s.aliyun.com/eci-use-specs',
    'k8s.aliyun.com/eci-spot-strategy',
    'a/b',
    '~0',
    '~1',
    'a~b/c',
    '__proto__',
    'constructor',
    'toString',
    '',
  ),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
);
const value = fc.oneof(
  fc.constantFrom('true', 'batch', 'web', '2-4Gi', 'SpotAsPriceGo', ''),
  fc.string({ maxLength: 12 }),
);
const labels = fc.dictionary(key, value, { maxKeys: 6 });

/** Anything where a value is expected: wrong types, long strings, deep nesting. */
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything({ maxDepth: 3, withNullPrototype: false }),
  fc.string({ unit: 'binary', minLength: 2000, maxLength: 20_000 }),
  fc.integer({ min: 50, max: 300 }).map(nested),
);

function nested(depth: number): unknown {
  let node: unknown = { leaf: true };
  for (let i = 0; i < depth; i++) node = i % 2 ? [node] : { [`d${i}`]: node };
  return node;
}

const container = fc.record(
  {
    name: fc.string({ maxLength: 8 }),
    image: fc.constantFrom('nginx', 'busybox:1.36'),
    ports: fc.array(
      fc.record(
        { containerPort: fc.integer({ min: 0, max: 70000 }), hostPort: fc.integer({ min: 0, max: 70000 }) },
        { requiredKeys: ['containerPort'] },
      ),
      { maxLength: 2 },
    ),
    securityContext: fc.record(
      {
        privileged: fc.boolean(),
        capabilities: fc.record({
          add: fc.array(fc.constantFrom('NET_ADMIN', 'SYS_ADMIN', 'NET_RAW'), { maxLength: 2 }),
        }),
      },
      { requiredKeys: [] },
    ),
    resources: fc.record({
      requests: fc.dictionary(fc.constantFrom('cpu', 'memory'), fc.constantFrom('500m', '1Gi', 'x')),
    }),
  },
  { requiredKeys: ['name'] },
);

const podSpec = fc.record(
  {
    containers: fc.array(container, { minLength: 1, maxLength: 3 }),
    initContainers: fc.array(container, { maxLength: 1 }),
    volumes: fc.array(
      fc.oneof(
        fc.record({ name: fc.string({ maxLength: 6 }), hostPath: fc.record({ path: fc.constant('/var/log') }) }),
        fc.record({
          name: fc.constant('kube-api-access'),
          projected: fc.constant({ sources: [{ serviceAccountToken: { path: 'token' } }] }),
        }),
      ),
      { maxLength: 2 },
    ),
    hostNetwork: fc.boolean(),
    hostPID: fc.boolean(),
    nodeName: fc.constantFrom('virtual-kubelet-cn-hangzhou-k', 'node-1'),
    nodeSelector: fc.oneof(labels, fc.constant({ type: 'virtual-kubelet' })),
    tolerations: fc.array(
      fc.record(
        {
          key: fc.constantFrom('virtual-kubelet.io/provider', ''),
          operator: fc.constantFrom('Exists', 'Equal'),
          value: fc.constant('alibabacloud'),
          effect: fc.constantFrom('NoSchedule', ''),
        },
        { requiredKeys: [] },
      ),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: ['containers'] },
);

const metadata = fc.record(
  {
    name: fc.string({ maxLength: 10 }),
    namespace: fc.constantFrom('default', 'batch', 'burst', 'web'),
    labels,
    annotations: labels,
  },
  { requiredKeys: [] },
);
const template = fc.record({ metadata, spec: podSpec });

const workloads: ReadonlyArray<readonly [string, string, (t: unknown) => object]> = [
  ['apps/v1', 'Deployment', (t) => ({ replicas: 2, template: t })],
  ['apps/v1', 'ReplicaSet', (t) => ({ template: t })],
  ['apps/v1', 'StatefulSet', (t) => ({ template: t })],
  ['apps/v1', 'DaemonSet', (t) => ({ template: t })],
  ['batch/v1', 'Job', (t) => ({ template: t })],
  ['batch/v1', 'CronJob', (t) => ({ schedule: '0 3 * * *', jobTemplate: { spec: { template: t } } })],
  ['v1', 'ReplicationController', (t) => ({ template: t })],
];

/** A plausible object of a handled kind (or of one that passes through). */
const kubernetesObject: fc.Arbitrary<KubernetesObject> = fc.oneof(
  fc
    .record({ metadata, spec: podSpec })
    .map(({ metadata, spec }) => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec })),
  fc
    .tuple(fc.constantFrom(...workloads), metadata, template)
    .map(([[apiVersion, kind, wrap], metadata, t]) => ({ apiVersion, kind, metadata, spec: wrap(t) })),
  fc
    .record({
      metadata,
      type: fc.constantFrom('NodePort', 'LoadBalancer', 'ClusterIP'),
      affinity: fc.constantFrom('ClientIP', 'None'),
    })
    .map(({ metadata, type, affinity }) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: { type, sessionAffinity: affinity, ports: [{ port: 80 }] },
    })),
  fc
    .record({
      selectors: fc.oneof(fc.json(), fc.constant('[{"name":"a","objectSelector":{"matchLabels":{"app":"x"}}}]')),
    })
    .map((data) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'eci-profile', namespace: 'kube-system' },
      data,
    })),
  fc.record({ spec: fc.anything({ maxDepth: 2 }) }).map(({ spec }) => ({
    apiVersion: 'scheduling.alibabacloud.com/v1alpha1',
    kind: 'ResourcePolicy',
    metadata: { name: 'r' },
    spec,
  })),
  fc
    .record({ kind: fc.string({ minLength: 1, maxLength: 10 }), metadata })
    .map((o) => ({ apiVersion: 'example.com/v1', ...o })),
) as fc.Arbitrary<KubernetesObject>;

/** Replaces one node of `object` (found by a path of indexes into its keys) with `replacement`. */
function graft(object: unknown, path: readonly number[], replacement: unknown): unknown {
  const copy = structuredClone(object);
  let node = copy as Record<string, unknown>;
  for (const step of path) {
    const keys = Object.keys(node);
    if (keys.length === 0) break;
    const key = keys[step % keys.length]!;
    const child = node[key];
    if (typeof child !== 'object' || child === null) {
      node[key] = replacement;
      return copy;
    }
    node = child as Record<string, unknown>;
  }
  node[String(path.length)] = replacement;
  return copy;
}

/**
 * A plausible object, sometimes with one subtree replaced by garbage; as it arrives, through JSON
 * (which has no sparse arrays, undefined or NaN for the generators to slip in).
 */
export const mutatedObject: fc.Arbitrary<KubernetesObject> = fc
  .oneof(
    kubernetesObject,
    fc
      .tuple(kubernetesObject, fc.array(fc.nat(), { minLength: 1, maxLength: 6 }), garbage)
      .map(([object, path, junk]) => graft(object, path, junk) as KubernetesObject),
  )
  .map((object) => JSON.parse(JSON.stringify(object)) as KubernetesObject);

export const admissionRequest: fc.Arbitrary<AdmissionRequest> = fc
  .record({
    object: mutatedObject,
    oldObject: fc.option(mutatedObject, { nil: undefined }),
    operation: fc.constantFrom<Operation>('CREATE', 'CREATE', 'UPDATE', 'DELETE', 'CONNECT'),
    subResource: fc.constantFrom(undefined, undefined, 'status', 'ephemeralcontainers'),
    uid: fc.uuid(),
  })
  .map(({ object, oldObject, operation, subResource, uid }) => {
    const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : 'v1';
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    const namespace = recordOf(object.metadata).namespace;
    return {
      uid,
      kind: {
        group: group ?? '',
        version: version ?? 'v1',
        kind: typeof object.kind === 'string' && object.kind ? object.kind : 'Pod',
      },
      operation,
      ...(typeof namespace === 'string' ? { namespace } : {}),
      ...(subResource ? { subResource } : {}),
      object,
      ...(oldObject ? { oldObject } : {}),
    };
  });

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function profileOf(selectors: object[]): Profile {
  const { profile } = parseProfile({ selectors: JSON.stringify(selectors) }, 'fuzz', policyContext().schemas);
  if (!profile) throw new Error('fuzz profile refused');
  return profile;
}

const fuzzProfile = profileOf([
  {
    name: 'batch',
    namespaceSelector: { matchLabels: { team: 'batch' } },
    effect: {
      annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' },
      labels: { 'eci-selector': 'batch' },
    },
  },
  {
    name: 'app',
    objectSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['batch', 'web'] }] },
    effect: { annotations: { 'k8s.aliyun.com/eci-use-specs': '2-4Gi' } },
  },
  {
    name: 'slash',
    objectSelector: { matchLabels: { 'a/b': 'true', '~0': 'web' } },
    effect: { labels: { '~1': 'x', 'a/b~': 'y' } },
  },
  { name: 'everyone', effect: { annotations: { 'k8s.aliyun.com/eci-with-eip': 'true' } } },
]);

const namespaces = new Map<string, Record<string, string>>([
  ['batch', { team: 'batch' }],
  ['burst', { 'alibabacloud.com/eci': 'true' }],
  ['web', { 'virtual-node-affinity-injection': 'enabled' }],
]);

/** Contexts a request may meet: both cluster modes, with and without selectors. */
export const policyContexts: fc.Arbitrary<PolicyContext> = fc
  .record({
    clusterMode: fc.constantFrom('serverless', 'hybrid'),
    routing: fc.constantFrom('ack-virtual-node', 'eci-vnode'),
    selectors: fc.boolean(),
  })
  .map(({ clusterMode, routing, selectors }) =>
    policyContext({
      clusterMode,
      routing,
      namespaceLabels: namespaces,
      ...(selectors ? { profile: fuzzProfile } : {}),
    }),
  );

/** JSON text nested `depth` levels (arrays, objects or both): built to overflow whatever recurses. */
const deepJsonText = ([depth, open, close]: readonly [number, string, string]): string =>
  `${open.repeat(depth)}1${close.repeat(depth)}`;
const deepJson = fc
  .tuple(
    fc.integer({ min: 20, max: 20_000 }),
    fc.constantFrom<[string, string]>(['[', ']'], ['{"a":', '}'], ['[{"a":', '}]']),
  )
  .map(([depth, [open, close]]) => deepJsonText([depth, open, close]));

/** A map with thousands of keys: annotations, labels, ConfigMap data. */
const wideMap = (size: number): Record<string, string> =>
  Object.fromEntries(
    Array.from({ length: size }, (_, i) => [
      i % 2 ? `k8s.aliyun.com/eci-custom-hosts-${i}` : `key-${i}`,
      `[{"host":"h${i}"}]`,
    ]),
  );

/** What an attacker puts where a value is read: deep, wide or of the wrong type. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: deepJson, weight: 3 },
  fc.integer({ min: 90, max: 300 }).map(nested),
  fc.integer({ min: 100, max: 1000 }).map(wideMap),
  fc
    .integer({ min: 30, max: 300 })
    .map((n) => Array.from({ length: n }, (_, i) => ({ name: `v${i}`, hostPath: { path: '/' } }))),
  garbage,
);

/** Every request field the code reads, and the annotations JSON values are parsed from. */
const requestFields: ReadonlyArray<readonly string[]> = [
  ['uid'],
  ['kind'],
  ['kind', 'kind'],
  ['kind', 'group'],
  ['operation'],
  ['subResource'],
  ['name'],
  ['namespace'],
  ['userInfo'],
  ['userInfo', 'username'],
  ['userInfo', 'groups'],
  ['object'],
  ['oldObject'],
  ['dryRun'],
  ['object', 'metadata'],
  ['object', 'metadata', 'annotations'],
  ['object', 'metadata', 'labels'],
  ['object', 'spec'],
  ['object', 'data'],
  ['object', 'metadata', 'annotations', 'k8s.aliyun.com/eci-custom-hosts'],
  ['object', 'metadata', 'annotations', 'k8s.aliyun.com/eci-custom-dnsconfig'],
  ['object', 'data', 'selectors'],
  ['object', 'spec', 'volumes'],
  ['object', 'spec', 'template', 'metadata', 'annotations'],
];

/** A plausible request with one field it reads replaced by a hostile value. */
export const hostileRequest: fc.Arbitrary<AdmissionRequest> = fc
  .tuple(admissionRequest, fc.constantFrom(...requestFields), hostileValue)
  .map(([request, path, junk]) => {
    const copy = structuredClone(request) as unknown as Record<string, unknown>;
    let node = copy;
    for (const field of path.slice(0, -1)) {
      const child = node[field];
      node[field] = typeof child === 'object' && child !== null ? child : {};
      node = node[field] as Record<string, unknown>;
    }
    node[path.at(-1)!] = junk;
    return copy as unknown as AdmissionRequest;
  });

/** The data of an eci-profile ConfigMap, hostile in its selectors, its keys or as a whole. */
export const hostileProfileData: fc.Arbitrary<unknown> = fc.oneof(
  hostileValue,
  fc.record({ selectors: hostileValue }),
  deepJson.map((deep) => ({ selectors: `[{"name":"a","objectSelector":{"matchLabels":${deep}}}]` })),
  fc.integer({ min: 30, max: 300 }).map((n) => ({
    selectors: JSON.stringify(
      Array.from({ length: n }, (_, i) => ({ name: `s${i}`, effect: { labels: { [`l${i}`]: 'x' } } })),
    ),
  })),
  fc.constant(
    JSON.parse(
      '{"__proto__":{"x":1},"constructor":"y","selectors":"[{\\"name\\":\\"__proto__\\",\\"objectSelector\\":{\\"matchLabels\\":{\\"__proto__\\":\\"x\\"}}}]"}',
    ) as unknown,
  ),
);
