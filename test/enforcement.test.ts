// Modes, exemptions and rule switches: through decide, the server (namespace labels from the
// cluster stand-in) and the check CLI.
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import t from 'tap';
import { stringify } from 'yaml';
import { policyContext, type PolicyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { defaultEnforcement, serviceAccountUser, type Enforcement } from '../lib/policy/enforcement.js';
import { maxWarningLength } from '../lib/policy/findings.js';
import { run } from './helpers/cli.js';
import { FakeApi } from './helpers/fake-api.js';
import { daemonSet, pod, requestFor, reviewFor } from './helpers/objects.js';
import { eventually, responseOf, startServer } from './helpers/server.js';

const namespaces = {
  strict: { 'eci-admission/mode': 'enforce' },
  trial: { 'eci-admission/mode': 'warn' },
  observe: { 'eci-admission/mode': 'audit' },
  odd: { 'eci-admission/mode': 'sometimes' },
};
const agent = (namespace: string): KubernetesObject => ({
  ...daemonSet({ hostNetwork: true }),
  metadata: { name: 'agent', namespace },
});

function context(enforcement: Partial<Enforcement> = {}): PolicyContext {
  return policyContext({
    namespaceLabels: new Map(Object.entries(namespaces)),
    enforcement: { ...defaultEnforcement, ...enforcement },
  });
}

t.test('the same DaemonSet: denied in enforce, warned in warn, recorded silently in audit', async (t) => {
  const ctx = context();
  const enforced = decide(requestFor(agent('strict')), ctx);
  t.equal(enforced.allowed, false);
  t.same(
    enforced.findings.map((f) => f.rule),
    ['daemonset', 'host-network'],
  );
  const warned = decide(requestFor(agent('trial')), ctx);
  t.match(warned, { allowed: true, findings: [] });
  t.same(
    warned.warnings.map((f) => f.rule),
    ['daemonset', 'host-network'],
  );
  const audited = decide(requestFor(agent('observe')), ctx);
  t.match(audited, { allowed: true, findings: [], warnings: [] });
  t.same(
    audited.audited?.map((f) => f.rule),
    ['daemonset', 'host-network'],
  );
  t.equal(decide(requestFor(agent('odd')), ctx).allowed, false, 'an unknown mode label falls back to the cluster mode');
  t.equal(
    decide(requestFor(agent('default')), context({ mode: 'warn' })).allowed,
    true,
    'the cluster mode applies without a label',
  );
});

t.test('mutation is never affected by the mode', async (t) => {
  const labelled = (namespace: string) => ({
    ...pod({ hostNetwork: true }, { 'alibabacloud.com/eci': 'true' }),
    metadata: { name: 'p', namespace, labels: { 'alibabacloud.com/eci': 'true' } },
  });
  const patches = ['strict', 'trial', 'observe'].map(
    (namespace) => decide(requestFor(labelled(namespace)), context()).patch,
  );
  t.ok(patches[0]!.length > 0);
  t.same(patches[1], patches[0]);
  t.same(patches[2], patches[0]);
});

t.test('exempt namespaces, users, groups, service accounts and opted-out objects pass unchanged', async (t) => {
  const ctx = context({
    exemptNamespaces: new Set(['kube-system', 'tools']),
    exemptUsers: new Set(['ci-bot', serviceAccountUser('ci', 'deployer')]),
    exemptGroups: new Set(['platform-admins']),
    allowOptOut: true,
  });
  const eciPod = (namespace: string, annotations: Record<string, string> = {}) => ({
    ...pod({ hostNetwork: true }),
    metadata: { name: 'p', namespace, labels: { 'alibabacloud.com/eci': 'true' }, annotations },
  });
  const cases: ReadonlyArray<readonly [string, ReturnType<typeof requestFor>]> = [
    ['namespace tools', requestFor(eciPod('tools'))],
    ['user ci-bot', { ...requestFor(eciPod('strict')), userInfo: { username: 'ci-bot' } }],
    [
      'user system:serviceaccount:ci:deployer',
      {
        ...requestFor(eciPod('strict')),
        userInfo: { username: 'system:serviceaccount:ci:deployer', groups: ['system:serviceaccounts'] },
      },
    ],
    [
      'group platform-admins',
      {
        ...requestFor(eciPod('strict')),
        userInfo: { username: 'alice', groups: ['system:authenticated', 'platform-admins'] },
      },
    ],
    ['annotation eci-admission/exempt', requestFor(eciPod('strict', { 'eci-admission/exempt': 'true' }))],
  ];
  for (const [reason, request] of cases) {
    const { placement: _placement, ...decision } = decide(request, ctx);
    t.same(decision, { allowed: true, findings: [], warnings: [], patch: [], exempt: reason }, reason);
  }
  const notAllowed = decide(requestFor(eciPod('strict', { 'eci-admission/exempt': 'true' })), context());
  t.equal(notAllowed.allowed, false, 'the annotation is ignored unless the admin allows it');
  const profile = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'eci-profile', namespace: 'kube-system' },
    data: { selectors: '[{' },
  } as KubernetesObject;
  t.equal(decide(requestFor(profile), ctx).allowed, false, 'the eci-profile in kube-system is still checked');
});

t.test('a disabled rule says nothing; a rule turned to warn only warns', async (t) => {
  const ctx = context({
    rules: new Map([
      ['daemonset', 'off'],
      ['host-network', 'warn'],
    ]),
  });
  const decision = decide(requestFor(agent('strict')), ctx);
  t.equal(decision.allowed, true);
  t.same(decision.findings, []);
  t.same(
    decision.warnings.map((f) => f.rule),
    ['host-network'],
  );
});

t.test(
  'over TLS: modes from namespace labels in the cluster, exemptions from flags, warnings under 120 characters',
  async (t) => {
    const api = await FakeApi.start();
    t.teardown(() => api.close());
    for (const [name, labels] of Object.entries(namespaces)) api.setNamespace(name, labels);
    const server = await startServer(t, {
      cluster: await api.kubeConfig(),
      enforcement: {
        ...defaultEnforcement,
        exemptUsers: new Set([serviceAccountUser('ci', 'deployer')]),
        rules: new Map([['session-affinity', 'off']]),
      },
    });
    await eventually(
      () => server.get('/readyz'),
      (r) => r.status === 200,
      'sync',
    );
    const longName = pod({
      containers: [
        {
          name: 'a'.repeat(60),
          image: 'x',
          securityContext: { privileged: true },
          ports: [{ containerPort: 1, hostPort: 1 }],
        },
      ],
    });
    const verdicts = [];
    for (const namespace of ['strict', 'trial', 'observe']) {
      const response = responseOf(await server.post('/validate', reviewFor(agent(namespace), { namespace })));
      verdicts.push([namespace, response.allowed, response.warnings?.map((w) => w.split(':')[0])]);
      const long = responseOf(
        await server.post('/validate', reviewFor({ ...longName, metadata: { name: 'p', namespace } }, { namespace })),
      );
      for (const warning of long.warnings ?? [])
        t.ok(warning.length <= maxWarningLength, `${warning.length}: ${warning}`);
    }
    t.same(verdicts, [
      ['strict', false, undefined],
      ['trial', true, ['daemonset', 'host-network']],
      ['observe', true, undefined],
    ]);
    const asDeployer = reviewFor(agent('strict'), { namespace: 'strict' });
    const exempted = {
      ...asDeployer,
      request: { ...asDeployer.request!, userInfo: { username: 'system:serviceaccount:ci:deployer' } },
    };
    t.same(
      responseOf(await server.post('/validate', exempted)),
      { uid: 'a1b2c3', allowed: true },
      'exempt service account',
    );
    const affinity = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's', namespace: 'strict' },
      spec: { sessionAffinity: 'ClientIP' },
    };
    t.same(
      responseOf(await server.post('/validate', reviewFor(affinity))),
      { uid: 'a1b2c3', allowed: true },
      'disabled rule',
    );
    // The same DaemonSet through /mutate must not count its findings twice.
    await server.post('/mutate', reviewFor(agent('observe'), { namespace: 'observe' }));
    const metrics = await server.text('/metrics');
    t.match(metrics, /^eci_admission_audited_findings_total\{rule="daemonset"\} 1$/m, 'the audit counter moved');
    t.match(metrics, /^eci_admission_audited_findings_total\{rule="host-network"\} 1$/m);
    t.match(
      metrics,
      /^eci_admission_exempt_requests_total\{path="\/validate",reason="user"\} 1$/m,
      'the exemption is counted',
    );
    t.match(metrics, /^eci_admission_findings_total\{rule="daemonset",severity="warn"\} 1$/m, 'the warn namespace');
  },
);

t.test('check honours the same modes, namespace exemptions and rule switches', async (t) => {
  const trial = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: 'trial', labels: { 'eci-admission/mode': 'warn' } },
  };
  const dir = t.testdir({
    'apps.yaml': [trial, agent('trial'), agent('default')].map((o) => stringify(o)).join('---\n'),
  });
  const file = join(dir, 'apps.yaml');
  const enforced = await run(['check', '-f', file]);
  t.equal(enforced.code, 1);
  t.match(enforced.stdout, /DaemonSet\/trial\/agent warning daemonset/);
  t.match(enforced.stdout, /DaemonSet\/default\/agent error daemonset/);
  t.equal((await run(['check', '-f', file, '--mode', 'audit'])).code, 0, 'audit everywhere but trial');
  t.equal((await run(['check', '-f', file, '--exempt-namespace', 'default'])).code, 0, 'default exempt');
  t.equal((await run(['check', '-f', file, '--disable-rule', 'daemonset', '--warn-rule', 'host-network'])).code, 0);
  const unknown = await run(['check', '-f', file, '--disable-rule', 'no-such-rule']);
  t.equal(unknown.code, 2);
  t.match(unknown.stderr, /--disable-rule: unknown rule no-such-rule/);
});
