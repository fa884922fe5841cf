// Mutation through decide(): selector effects, virtual-node routing, and patches that apply.
import type { V1Pod } from '@kubernetes/client-node';
import jsonpatch from 'fast-json-patch';
import t, { type Test } from 'tap';
import { policyContext, type PolicyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { parseProfile, type Profile } from '../lib/profile/profile.js';
import { pod, requestFor } from './helpers/objects.js';

const namespaces = new Map(
  Object.entries<Record<string, string>>({
    batch: { team: 'batch' },
    web: { team: 'web' },
    burst: { 'alibabacloud.com/eci': 'true' },
    legacy: { 'virtual-node-affinity-injection': 'enabled' },
    default: {},
  }),
);

function profileOf(selectors: object[]): Profile {
  const { profile } = parseProfile({ selectors: JSON.stringify(selectors) }, 'test', policyContext().schemas);
  if (!profile) throw new Error('test profile refused');
  return profile;
}

const batchProfile = profileOf([
  {
    name: 'batch-spot',
    namespaceSelector: { matchLabels: { team: 'batch' } },
    effect: {
      annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo', 'k8s.aliyun.com/eci-use-specs': '2-4Gi' },
      labels: { 'eci-selector': 'batch-spot' },
    },
  },
  {
    name: 'batch-later',
    namespaceSelector: { matchLabels: { team: 'batch' } },
    effect: {
      annotations: { 'k8s.aliyun.com/eci-use-specs': '4-8Gi', 'k8s.aliyun.com/eci-with-eip': 'true' },
      labels: { 'eci-selector': 'later' },
    },
  },
  {
    name: 'web',
    namespaceSelector: { matchLabels: { team: 'web' } },
    objectSelector: { matchLabels: { app: 'shop' } },
    effect: { annotations: { 'k8s.aliyun.com/eci-fail-strategy': 'fail-fast' } },
  },
]);

function context(parts: Partial<PolicyContext> = {}): PolicyContext {
  return policyContext({ namespaceLabels: namespaces, profile: batchProfile, ...parts });
}

const virtualKubeletToleration = {
  key: 'virtual-kubelet.io/provider',
  operator: 'Equal',
  value: 'alibabacloud',
  effect: 'NoSchedule',
};

/** Mutates through decide, applies the patch in validate mode, compares, and checks a second pass. */
function expectMutation(t: Test, ctx: PolicyContext, namespace: string, input: V1Pod, expected: V1Pod) {
  const decision = decide(requestFor(input, { namespace }), ctx);
  t.equal(decision.allowed, true);
  const applied = jsonpatch.applyPatch(
    structuredClone(input),
    structuredClone(decision.patch) as jsonpatch.Operation[],
    true,
  ).newDocument;
  t.same(withoutRecord(applied), expected, 'patched pod');
  t.equal(
    applied.metadata?.annotations?.[injected] !== undefined,
    decision.patch.length > 0,
    'what was set is recorded when anything was',
  );
  t.same(decide(requestFor(applied, { namespace }), ctx).patch, [], 'second pass yields no patch');
  return decision;
}

const injected = 'eci-admission/injected';

/** The pod without the record (its own tests below), and without annotations if that was all. */
function withoutRecord(mutated: V1Pod): V1Pod {
  const { [injected]: _record, ...annotations } = mutated.metadata?.annotations ?? {};
  const { annotations: _all, ...rest } = mutated.metadata ?? {};
  return { ...mutated, metadata: Object.keys(annotations).length === 0 ? rest : { ...rest, annotations } };
}

t.test('matching selectors contribute in order; the pod and then the first selector win', async (t) => {
  const input = pod({}, { app: 'etl' });
  input.metadata!.annotations = {
    'k8s.aliyun.com/eci-spot-strategy': 'SpotWithPriceLimit',
    'k8s.aliyun.com/eci-spot-price-limit': '0.5',
  };
  const expected = structuredClone(input);
  expected.metadata!.annotations = {
    ...input.metadata!.annotations,
    'k8s.aliyun.com/eci-use-specs': '2-4Gi',
    'k8s.aliyun.com/eci-with-eip': 'true',
  };
  expected.metadata!.labels = { app: 'etl', 'eci-selector': 'batch-spot' };
  const decision = expectMutation(t, context(), 'batch', input, expected);
  t.ok(
    decision.patch.some((op) => op.path === '/metadata/annotations/k8s.aliyun.com~1eci-use-specs'),
    '/ escaped as ~1',
  );
});

t.test('metadata.annotations is created when the pod has none', async (t) => {
  const input = pod({});
  const decision = expectMutation(t, context(), 'batch', input, {
    ...input,
    metadata: {
      ...input.metadata,
      annotations: {
        'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo',
        'k8s.aliyun.com/eci-use-specs': '2-4Gi',
        'k8s.aliyun.com/eci-with-eip': 'true',
      },
      labels: { 'eci-selector': 'batch-spot' },
    },
  });
  t.ok(decision.patch.some((op) => op.op === 'add' && op.path === '/metadata/annotations'));
});

t.test('selectors whose namespace or object labels do not match do nothing', async (t) => {
  for (const [namespace, labels] of [
    ['web', { app: 'blog' }],
    ['default', { app: 'shop' }],
    ['unknown', {}],
  ] as const) {
    t.same(
      decide(requestFor(pod({}, labels), { namespace }), context()).patch,
      [],
      `${namespace} ${JSON.stringify(labels)}`,
    );
  }
  const shop = pod({}, { app: 'shop' });
  expectMutation(t, context(), 'web', shop, {
    ...shop,
    metadata: { ...shop.metadata, annotations: { 'k8s.aliyun.com/eci-fail-strategy': 'fail-fast' } },
  });
});

t.test('an ECI namespace and an ECI-labelled pod are routed to virtual nodes; nothing else is', async (t) => {
  const existing = { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' };
  const inBurst = pod({ nodeSelector: { zone: 'cn-hangzhou-k' }, tolerations: [existing] });
  expectMutation(t, context(), 'burst', inBurst, {
    ...inBurst,
    spec: {
      ...inBurst.spec!,
      nodeSelector: { zone: 'cn-hangzhou-k', type: 'virtual-kubelet' },
      tolerations: [existing, virtualKubeletToleration],
    },
  });
  const labelled = pod({}, { 'alibabacloud.com/eci': 'true' });
  expectMutation(t, context(), 'default', labelled, {
    ...labelled,
    spec: { ...labelled.spec!, nodeSelector: { type: 'virtual-kubelet' }, tolerations: [virtualKubeletToleration] },
  });
  t.same(decide(requestFor(pod({}), { namespace: 'default' }), context()).patch, [], 'a plain pod stays as it is');
});

t.test('a toleration that already covers the taint is not duplicated', async (t) => {
  for (const toleration of [
    { key: 'virtual-kubelet.io/provider', operator: 'Exists' },
    { operator: 'Exists' },
    { ...virtualKubeletToleration },
  ]) {
    const input = pod({ tolerations: [toleration] });
    expectMutation(t, context(), 'burst', input, {
      ...input,
      spec: { ...input.spec!, nodeSelector: { type: 'virtual-kubelet' } },
    });
  }
});

t.test('legacy labels route with a warning naming the recommended label', async (t) => {
  const input = pod({}, { eci: 'true' });
  const decision = expectMutation(t, context(), 'default', input, {
    ...input,
    spec: { ...input.spec!, nodeSelector: { type: 'virtual-kubelet' }, tolerations: [virtualKubeletToleration] },
  });
  t.match(decision.warnings, [
    {
      rule: 'eci-routing',
      message: /pod label eci=true is a legacy way/,
      workaround: /alibabacloud\.com\/eci: "true"/,
    },
  ]);
  const inLegacy = decide(requestFor(pod({}), { namespace: 'legacy' }), context());
  t.match(inLegacy.warnings, [{ message: /namespace label virtual-node-affinity-injection=enabled/ }]);
});

t.test('a conflicting nodeSelector is kept and warned about', async (t) => {
  const input = pod({ nodeSelector: { type: 'gpu-node' } });
  const decision = expectMutation(t, context(), 'burst', input, {
    ...input,
    spec: { ...input.spec!, tolerations: [virtualKubeletToleration] },
  });
  t.match(decision.warnings, [{ rule: 'eci-routing', path: 'spec.nodeSelector["type"]' }]);
});

t.test('the ECI VNode flavour uses its own label and taint', async (t) => {
  const input = pod({});
  expectMutation(t, context({ routing: 'eci-vnode' }), 'burst', input, {
    ...input,
    spec: {
      ...input.spec!,
      nodeSelector: { 'k8s.aliyun.com/vnode': 'true' },
      tolerations: [{ key: 'k8s.aliyun.com/vnode', operator: 'Equal', value: 'true', effect: 'NoSchedule' }],
    },
  });
});

t.test('hybrid: a matching selector routes; an unconstrained one applies only to ECI pods', async (t) => {
  const hybrid = context({
    clusterMode: 'hybrid',
    profile: profileOf([
      { name: 'batch', namespaceSelector: { matchLabels: { team: 'batch' } }, effect: { labels: { via: 'batch' } } },
      { name: 'everyone', effect: { annotations: { 'k8s.aliyun.com/eci-auto-imc': 'true' } } },
    ]),
  });
  const batch = pod({});
  expectMutation(t, hybrid, 'batch', batch, {
    ...batch,
    metadata: { ...batch.metadata, labels: { via: 'batch' }, annotations: { 'k8s.aliyun.com/eci-auto-imc': 'true' } },
    spec: { ...batch.spec!, nodeSelector: { type: 'virtual-kubelet' }, tolerations: [virtualKubeletToleration] },
  });
  t.same(decide(requestFor(pod({}), { namespace: 'default' }), hybrid).patch, [], 'not ECI-bound: untouched');
  const hostNet = pod({ hostNetwork: true });
  t.equal(
    decide(requestFor(hostNet, { namespace: 'batch' }), hybrid).allowed,
    false,
    'selector-routed pods are checked',
  );
  t.equal(decide(requestFor(hostNet, { namespace: 'default' }), hybrid).allowed, true, 'others are not');
});

t.test('only Pod CREATE is mutated', async (t) => {
  const labelled = pod({}, { 'alibabacloud.com/eci': 'true' });
  t.same(decide(requestFor(labelled, { operation: 'UPDATE', oldObject: labelled }), context()).patch, []);
});

t.test(
  "the pod records what was set and by whom, and explain's reading of it stays true on reinvocation",
  async (t) => {
    const input = pod({}, { app: 'etl' });
    input.metadata!.annotations = { 'k8s.aliyun.com/eci-spot-strategy': 'SpotWithPriceLimit' };
    const first = decide(requestFor(input, { namespace: 'batch' }), context({ clusterMode: 'hybrid' }));
    const applied = jsonpatch.applyPatch(
      structuredClone(input),
      structuredClone(first.patch) as jsonpatch.Operation[],
      true,
    ).newDocument;
    t.same(
      JSON.parse(applied.metadata!.annotations![injected]!),
      {
        'selector/batch-spot': [
          'metadata.annotations["k8s.aliyun.com/eci-use-specs"]',
          'metadata.labels["eci-selector"]',
        ],
        'selector/batch-later': ['metadata.annotations["k8s.aliyun.com/eci-with-eip"]'],
        routing: ['spec.nodeSelector["type"]', 'spec.tolerations[0]'],
      },
      "the pod's own spot strategy is not claimed; the first selector with a key is its setter",
    );
    // Another webhook drops the toleration: the second pass adds it back and keeps the first record.
    delete applied.spec!.tolerations;
    const second = decide(requestFor(applied, { namespace: 'batch' }), context({ clusterMode: 'hybrid' }));
    const again = jsonpatch.applyPatch(
      structuredClone(applied),
      structuredClone(second.patch) as jsonpatch.Operation[],
      true,
    ).newDocument;
    t.same(JSON.parse(again.metadata!.annotations![injected]!).routing, [
      'spec.nodeSelector["type"]',
      'spec.tolerations[0]',
      'spec.tolerations[0]',
    ]);
    t.same(JSON.parse(again.metadata!.annotations![injected]!)['selector/batch-spot'], [
      'metadata.annotations["k8s.aliyun.com/eci-use-specs"]',
      'metadata.labels["eci-selector"]',
    ]);
    const untouched = decide(requestFor(pod({}), { namespace: 'default' }), context({ clusterMode: 'hybrid' }));
    t.same(untouched.patch, [], 'nothing set, nothing recorded');
  },
);
