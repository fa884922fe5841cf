// One placement answer: every case the README lists ("Cluster modes") gets one answer from decide,
// and the mutation, the rules, explain and the metrics all follow it.
import { join } from 'node:path';
import type { V1Pod } from '@kubernetes/client-node';
import jsonpatch from 'fast-json-patch';
import t from 'tap';
import { stringify } from 'yaml';
import type { ClusterMode } from '../lib/facts.js';
import { policyContext, type PolicyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { parseProfile } from '../lib/profile/profile.js';
import { run } from './helpers/cli.js';
import { pod, reviewFor, requestFor } from './helpers/objects.js';
import { responseOf, startServer } from './helpers/server.js';

/** A constrained selector (it routes) and an unconstrained one (it applies to every ECI pod). */
const selectors = [
  {
    name: 'batch',
    objectSelector: { matchLabels: { workload: 'batch' } },
    effect: { labels: { 'eci-selector': 'batch' } },
  },
  { name: 'everyone', effect: { annotations: { 'k8s.aliyun.com/eci-fail-strategy': 'fail-fast' } } },
];
const profileData = { selectors: JSON.stringify(selectors) };

function context(clusterMode: ClusterMode): PolicyContext {
  const base = policyContext({ clusterMode, namespaceLabels: namespaces });
  const { profile } = parseProfile(profileData, 'test', base.schemas);
  return { ...base, profile: profile! };
}

const namespaces = new Map<string, Record<string, string>>([
  ['plain', {}],
  ['eci-ns', { 'alibabacloud.com/eci': 'true' }],
  ['legacy-ns', { eci: 'true' }],
  ['injected-ns', { 'virtual-node-affinity-injection': 'enabled' }],
]);

interface Case {
  readonly name: string;
  readonly mode: ClusterMode;
  readonly namespace: string;
  readonly pod: V1Pod;
  readonly onEci: boolean;
  readonly cause: string;
}

/** hostNetwork makes every ECI pod deniable, so the verdict shows whether the rules ran. */
const onHost = (labels: Record<string, string> = {}, spec: Partial<V1Pod['spec']> = {}) =>
  pod({ hostNetwork: true, ...spec }, labels);

const cases: readonly Case[] = [
  {
    name: 'serverless: every pod',
    mode: 'serverless',
    namespace: 'plain',
    pod: onHost(),
    onEci: true,
    cause: 'serverless',
  },
  {
    name: 'hybrid: namespace label alibabacloud.com/eci=true',
    mode: 'hybrid',
    namespace: 'eci-ns',
    pod: onHost(),
    onEci: true,
    cause: 'label',
  },
  {
    name: 'hybrid: legacy namespace label eci=true',
    mode: 'hybrid',
    namespace: 'legacy-ns',
    pod: onHost(),
    onEci: true,
    cause: 'label',
  },
  {
    name: 'hybrid: namespace label virtual-node-affinity-injection=enabled',
    mode: 'hybrid',
    namespace: 'injected-ns',
    pod: onHost(),
    onEci: true,
    cause: 'label',
  },
  {
    name: 'hybrid: pod label alibabacloud.com/eci=true',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({ 'alibabacloud.com/eci': 'true' }),
    onEci: true,
    cause: 'label',
  },
  {
    name: 'hybrid: legacy pod label eci=true',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({ eci: 'true' }),
    onEci: true,
    cause: 'label',
  },
  {
    name: 'hybrid: pod label alibabacloud.com/acs=true',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({ 'alibabacloud.com/acs': 'true' }),
    onEci: true,
    cause: 'label',
  },
  {
    name: 'hybrid: nodeSelector type=virtual-kubelet',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({}, { nodeSelector: { type: 'virtual-kubelet' } }),
    onEci: true,
    cause: 'node-selector',
  },
  {
    name: 'hybrid: nodeSelector k8s.aliyun.com/vnode=true',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({}, { nodeSelector: { 'k8s.aliyun.com/vnode': 'true' } }),
    onEci: true,
    cause: 'node-selector',
  },
  {
    name: 'hybrid: nodeName virtual-kubelet-...',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({}, { nodeName: 'virtual-kubelet-cn-hangzhou-k' }),
    onEci: true,
    cause: 'node-name',
  },
  {
    name: 'hybrid: a constrained eci-profile selector',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({ workload: 'batch' }),
    onEci: true,
    cause: 'profile-selector',
  },
  {
    name: 'hybrid: none of these',
    mode: 'hybrid',
    namespace: 'plain',
    pod: onHost({ app: 'web' }),
    onEci: false,
    cause: 'none',
  },
];

const effectAnnotation = 'k8s.aliyun.com/eci-fail-strategy';

t.test('one placement answer per README case, followed by the rules and the mutation', async (t) => {
  for (const c of cases) {
    const ctx = context(c.mode);
    const decision = decide(requestFor(c.pod, { namespace: c.namespace }), ctx);
    t.equal(decision.placement?.onEci, c.onEci, `${c.name}: on ECI`);
    t.equal(decision.placement?.cause, c.cause, `${c.name}: why`);
    t.equal(decision.allowed, !c.onEci, `${c.name}: the rules judge exactly the ECI pods`);
    const mutated = jsonpatch.applyPatch(
      structuredClone(c.pod),
      structuredClone(decision.patch) as jsonpatch.Operation[],
    ).newDocument;
    t.equal(
      mutated.metadata?.annotations?.[effectAnnotation] !== undefined,
      c.onEci,
      `${c.name}: the unconstrained selector's effect exactly on ECI pods`,
    );
  }
});

t.test('explain gives the same answer for every case', async (t) => {
  for (const mode of ['serverless', 'hybrid'] as const) {
    const ofMode = cases.filter((c) => c.mode === mode);
    const dir = t.testdir({
      'pods.yaml': ofMode
        .map((c, i) => stringify({ ...c.pod, metadata: { ...c.pod.metadata, name: `p${i}`, namespace: c.namespace } }))
        .join('---\n'),
      'namespaces.yaml': [...namespaces]
        .map(([name, labels]) => stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } }))
        .join('---\n'),
      'profile.yaml': stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'eci-profile', namespace: 'kube-system' },
        data: profileData,
      }),
    });
    const result = await run([
      'explain',
      '-f',
      join(dir, 'namespaces.yaml'),
      '-f',
      join(dir, 'pods.yaml'),
      '--profile',
      join(dir, 'profile.yaml'),
      '--cluster-mode',
      mode,
    ]);
    t.equal(result.code, 0, result.stderr);
    const answers = [...result.stdout.matchAll(/runs on ECI: (yes|no)/g)].map((match) => match[1] === 'yes');
    t.same(
      answers,
      ofMode.map((c) => c.onEci),
      `${mode}: explain's answers`,
    );
  }
});

t.test("the hybrid nodeSelector pod gets the unconstrained selectors' effects from /mutate", async (t) => {
  const dir = t.testdir({
    'profile.yaml': stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'eci-profile', namespace: 'kube-system' },
      data: profileData,
    }),
  });
  const server = await startServer(t, {
    clusterMode: 'hybrid',
    profile: join(dir, 'profile.yaml'),
    certDir: join(dir, 'certs'),
  });
  const input = pod({ nodeSelector: { type: 'virtual-kubelet' } });
  const response = responseOf(await server.post('/mutate', reviewFor(input)));
  const patch = JSON.parse(Buffer.from(response.patch ?? '', 'base64').toString('utf8')) as jsonpatch.Operation[];
  const mutated = jsonpatch.applyPatch(structuredClone(input), patch).newDocument;
  t.equal(
    mutated.metadata?.annotations?.[effectAnnotation],
    'fail-fast',
    'the effect of the selector without selectors',
  );
  t.same(
    mutated.spec?.tolerations,
    [{ key: 'virtual-kubelet.io/provider', operator: 'Equal', value: 'alibabacloud', effect: 'NoSchedule' }],
    'and the toleration its nodeSelector needs',
  );
});
