// The decision core called directly: no server, no files, no network.
import type { KubernetesObject, V1Container, V1PodSpec } from '@kubernetes/client-node';
import t from 'tap';
import type { ClusterMode } from '../lib/facts.js';
import { policyContext, type PolicyContext } from '../lib/policy/context.js';
import { decide, type Decision } from '../lib/policy/decide.js';
import { formatFinding } from '../lib/policy/findings.js';
import { rules, unreadableFindings } from '../lib/policy/rules/index.js';
import { daemonSet, pod, requestFor } from './helpers/objects.js';
import {
  cleanCases,
  container,
  objectWithSpecAt,
  ruleCases,
  service,
  warningCases,
  workloads,
} from './helpers/rule-cases.js';

function contextOf(
  clusterMode: ClusterMode = 'serverless',
  namespaces: Record<string, Record<string, string>> = {},
): PolicyContext {
  return policyContext({ clusterMode, namespaceLabels: new Map(Object.entries(namespaces)) });
}
const serverless = contextOf();

/** The verdict alone: placement has its own tests. */
function withoutPlacement({ placement: _placement, ...rest }: Decision): Omit<Decision, 'placement'> {
  return rest;
}

t.test('every registered rule has a case, and ids are unique', async (t) => {
  const ids = rules.map((rule) => rule.id);
  t.equal(new Set(ids).size, ids.length, 'no duplicate ids');
  t.same([...ids].sort(), [...ruleCases, ...warningCases].map(([id]) => id).sort());
});

t.test('each warning rule warns its case at the right paths, and says where to move it', async (t) => {
  for (const [id, object, paths, targets] of warningCases) {
    const decision = decide(requestFor(object), serverless);
    t.equal(decision.allowed, true, `${id} allows`);
    const warnings = decision.warnings.filter((w) => w.rule === id);
    t.same(
      warnings.map((w) => w.path),
      paths,
      `${id} warnings`,
    );
    for (const [index, target] of targets.entries()) t.match(warnings[index]?.workaround, target);
  }
});

t.test('each rule denies its case with one finding at the right path', async (t) => {
  for (const [id, object, path] of ruleCases) {
    const decision = decide(requestFor(object), serverless);
    t.equal(decision.allowed, false, `${id} denies`);
    t.same(
      decision.findings.map((f) => [f.rule, f.path]),
      [[id, path]],
      `${id} finding`,
    );
    t.same(decision.patch, [], `${id}: validation never patches`);
  }
});

t.test('a finding reads rule: path (name): what is wrong; workaround', async (t) => {
  const [finding] = decide(requestFor(ruleCases[1]![1]), serverless).findings;
  t.equal(
    formatFinding(finding!),
    'host-path: spec.volumes[1].hostPath (logs): hostPath volumes are not supported on ECI; ' +
      'use an emptyDir, a PVC (cloud disk or NAS), a ConfigMap or a Secret instead',
  );
});

t.test('a clean pod, a LoadBalancer Service and NET_ADMIN are allowed with nothing to say', async (t) => {
  for (const object of cleanCases) {
    const { judged, ...decision } = withoutPlacement(decide(requestFor(object), serverless));
    t.same(decision, { allowed: true, findings: [], warnings: [], patch: [] });
    const expected = rules.filter((rule) =>
      object.kind === 'Pod'
        ? rule.target === 'pod'
        : rule.target === 'object' && rule.kinds.some((kind) => kind === object.kind),
    );
    t.same(
      judged,
      expected.map((rule) => rule.id),
      `${object.kind}: judged by the rules of its kind`,
    );
  }
});

t.test(
  'capabilities as ECI documents them: defaults and NET_ADMIN pass, NET_RAW and undocumented ones warn, SYS_ADMIN and ALL are denied',
  async (t) => {
    const expected: ReadonlyArray<readonly [string, 'allowed' | 'warned' | 'denied']> = [
      ['NET_BIND_SERVICE', 'allowed'],
      ['CAP_CHOWN', 'allowed'],
      ['setuid', 'allowed'],
      ['KILL', 'allowed'],
      ['NET_ADMIN', 'allowed'],
      ['NET_RAW', 'warned'],
      ['SYS_TIME', 'warned'],
      ['SYS_ADMIN', 'denied'],
      ['ALL', 'denied'],
    ];
    for (const [capability, verdict] of expected) {
      const decision = decide(
        requestFor(pod({ containers: [{ ...container, securityContext: { capabilities: { add: [capability] } } }] })),
        serverless,
      );
      const got = !decision.allowed ? 'denied' : decision.warnings.length > 0 ? 'warned' : 'allowed';
      t.equal(got, verdict, capability);
    }
  },
);

t.test('ECI instance limits: containers, and vCPU and memory summed as ECI sizes the instance', async (t) => {
  const sized = (cpu: string, memory: string, limit?: string) => ({
    ...container,
    resources: { requests: { cpu, memory }, ...(limit ? { limits: { cpu: limit } } : {}) },
  });
  const cases: ReadonlyArray<readonly [string, Partial<V1PodSpec>, readonly string[]]> = [
    [
      '20 containers fit',
      { containers: Array.from({ length: 20 }, (_, i) => ({ name: `c${i}`, image: 'nginx' })) },
      [],
    ],
    [
      '21 containers do not',
      { containers: Array.from({ length: 21 }, (_, i) => ({ name: `c${i}`, image: 'nginx' })) },
      ['21 containers'],
    ],
    ['64 vCPU in two containers fit', { containers: [sized('32', '64Gi'), sized('32000m', '64Gi')] }, []],
    ['a limit above the request counts', { containers: [sized('32', '64Gi'), sized('16', '64Gi', '33')] }, ['65 vCPU']],
    [
      'a native sidecar counts with the containers',
      {
        containers: [sized('60', '1Gi')],
        initContainers: [{ ...sized('8', '1Gi'), name: 'proxy', restartPolicy: 'Always' }],
      },
      ['68 vCPU'],
    ],
    [
      'an init container runs alone',
      { containers: [sized('60', '1Gi')], initContainers: [{ ...sized('8', '1Gi'), name: 'init' }] },
      [],
    ],
    ['512 GiB fit', { containers: [sized('8', '256Gi'), sized('8', '256Gi')] }, []],
    ['513 GiB do not', { containers: [sized('8', '256Gi'), sized('8', '257Gi')] }, ['513 GiB']],
  ];
  for (const [name, spec, messages] of cases) {
    const findings = decide(requestFor(pod(spec)), serverless).findings.filter((f) => f.rule === 'instance-limits');
    t.equal(findings.length, messages.length, name);
    for (const [i, message] of messages.entries()) t.match(findings[i]?.message, message, name);
  }
});

t.test('NET_RAW is allowed with a warning: it needs Alibaba Cloud support', async (t) => {
  const decision = decide(
    requestFor(pod({ containers: [{ ...container, securityContext: { capabilities: { add: ['NET_RAW'] } } }] })),
    serverless,
  );
  t.equal(decision.allowed, true);
  t.same(
    decision.warnings.map((w) => [w.rule, w.path]),
    [['capabilities', 'spec.containers[0].securityContext.capabilities.add[0]']],
  );
});

t.test('pod rules apply to every pod template, with the path of each kind', async (t) => {
  for (const [apiVersion, kind, specPath] of workloads) {
    const object = objectWithSpecAt(apiVersion, kind, specPath, {
      containers: [{ ...container, securityContext: { privileged: true } }],
    });
    const paths = decide(requestFor(object), serverless).findings.map((f) => `${f.rule} ${f.path}`);
    t.ok(
      paths.includes(`privileged ${specPath}.containers[0].securityContext.privileged`),
      `${kind}: ${paths.join(', ')}`,
    );
  }
});

t.test('kinds, operations and subresources the rules do not judge pass unchanged', async (t) => {
  const bad = pod({ hostNetwork: true });
  // The control: the same pod, created, is denied, so each pass below is the kind, operation or
  // subresource, and a decide that admits everything fails here.
  t.same(
    decide(requestFor(bad), serverless).findings.map((finding) => finding.rule),
    ['host-network'],
    'the pod itself is denied on CREATE',
  );
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { hostNetwork: 'true' } };
  const passes = [
    requestFor(configMap),
    requestFor({ ...bad, kind: 'Widget', apiVersion: 'example.com/v1' }),
    requestFor(null, { operation: 'DELETE', oldObject: bad }),
    requestFor(bad, { operation: 'CONNECT' }),
    requestFor(bad, { operation: 'UPDATE', subResource: 'status', oldObject: pod({}) }),
  ];
  for (const request of passes)
    t.same(
      decide(request, serverless),
      { allowed: true, findings: [], warnings: [], patch: [] },
      `${request.kind.kind} ${request.operation}`,
    );
});

t.test('UPDATE is checked like CREATE, also through the ephemeralcontainers subresource', async (t) => {
  const before = pod({});
  const after = pod({ volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] });
  t.equal(decide(requestFor(after, { operation: 'UPDATE', oldObject: before }), serverless).allowed, false);
  const debug = pod({
    ephemeralContainers: [{ name: 'debug', image: 'busybox', securityContext: { privileged: true } }],
  });
  const decision = decide(
    requestFor(debug, { operation: 'UPDATE', subResource: 'ephemeralcontainers', oldObject: before }),
    serverless,
  );
  t.same(
    decision.findings.map((f) => f.path),
    ['spec.ephemeralContainers[0].securityContext.privileged'],
  );
});

t.test('an UPDATE that leaves the spec as it was warns instead of denying', async (t) => {
  const legacy = daemonSet({ hostNetwork: true });
  const relabelled = { ...legacy, metadata: { ...legacy.metadata, labels: { team: 'ops' }, finalizers: [] } };
  const decision = decide(requestFor(relabelled, { operation: 'UPDATE', oldObject: legacy }), serverless);
  t.equal(decision.allowed, true);
  t.same(
    decision.warnings.map((w) => w.rule),
    ['daemonset', 'host-network'],
  );
  t.match(decision.warnings[0]!.message, /unchanged by this update/);
});

t.test('an UPDATE that changes what ECI reads is judged like a CREATE', async (t) => {
  const workload = daemonSet();
  const annotated = {
    ...workload,
    spec: {
      ...(workload as { spec: object }).spec,
      template: {
        metadata: { labels: { app: 'agent' }, annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' } },
        spec: pod({}).spec,
      },
    },
  };
  const templateEdit = decide(requestFor(annotated, { operation: 'UPDATE', oldObject: workload }), serverless);
  t.equal(templateEdit.allowed, false, 'a new pod template annotation');
  t.ok(templateEdit.findings.some((f) => f.rule === 'eci-annotations'));
  const profile = (selectors: string) =>
    ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'eci-profile', namespace: 'kube-system' },
      data: { selectors },
    }) as KubernetesObject;
  const good = profile('[]');
  const bad = profile('[{"name": ');
  t.equal(
    decide(requestFor(bad, { operation: 'UPDATE', oldObject: good }), serverless).allowed,
    false,
    'an eci-profile edited into an invalid one',
  );
  const relabelled = { ...bad, metadata: { ...bad.metadata, labels: { owner: 'ops' } } };
  t.equal(
    decide(requestFor(relabelled, { operation: 'UPDATE', oldObject: bad }), serverless).allowed,
    true,
    'relabelling a stored invalid profile',
  );
});

t.test('hybrid mode checks only what goes to ECI', async (t) => {
  const hybrid = contextOf('hybrid', {
    burst: { 'alibabacloud.com/eci': 'true' },
    legacy: { 'virtual-node-affinity-injection': 'enabled' },
  });
  const outside = { namespace: 'default' };
  t.equal(decide(requestFor(daemonSet(), outside), hybrid).allowed, true, 'DaemonSet on real nodes');
  t.equal(
    decide(requestFor(daemonSet(), { namespace: 'burst' }), hybrid).allowed,
    false,
    'DaemonSet in an ECI namespace',
  );
  t.equal(decide(requestFor(service({ type: 'NodePort' }), outside), hybrid).allowed, true, 'NodePort on real nodes');
  t.equal(
    decide(requestFor(service({ type: 'NodePort' }), { namespace: 'legacy' }), hybrid).allowed,
    false,
    'NodePort in a legacy ECI namespace',
  );
  const bound = [
    pod({ hostNetwork: true }, { 'alibabacloud.com/eci': 'true' }),
    pod({ hostNetwork: true }, { 'alibabacloud.com/acs': 'true' }),
    pod({ hostNetwork: true, nodeSelector: { type: 'virtual-kubelet' } }),
    pod({ hostNetwork: true, nodeName: 'virtual-kubelet-cn-hangzhou-k' }),
  ];
  for (const object of bound)
    t.equal(
      decide(requestFor(object, outside), hybrid).allowed,
      false,
      JSON.stringify(object.metadata?.labels ?? object.spec),
    );
  t.equal(decide(requestFor(pod({ hostNetwork: true }), outside), hybrid).allowed, true, 'a plain pod on real nodes');
  const profileCase = ruleCases.find(([id]) => id === 'eci-profile')![1];
  t.equal(decide(requestFor(profileCase), hybrid).allowed, false, 'the eci-profile is checked in every mode');
});

t.test('malformed objects are judged, every rule reading odd shapes as absent fields', async (t) => {
  const odd = [
    {
      apiVersion: 'v1',
      kind: 'Pod',
      spec: { volumes: 'x', containers: null, initContainers: [null, 7, { ports: 'p' }] },
    },
    { apiVersion: 'v1', kind: 'Pod', spec: 5, metadata: { labels: null } },
    { apiVersion: 'apps/v1', kind: 'Deployment', spec: { template: [] } },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      spec: {
        jobTemplate: {
          spec: { template: { spec: { containers: [{ securityContext: { capabilities: { add: [null, {}] } } }] } } },
        },
      },
    },
    { apiVersion: 'v1', kind: 'Service', spec: null },
  ] as unknown as KubernetesObject[];
  // decide turns a throw into a `cannot be judged` denial, so not throwing proves nothing: every
  // rule must have read the odd shapes as absent fields, and judged.
  for (const object of odd) {
    for (const context of [serverless, contextOf('hybrid')]) {
      const unjudged = decide(requestFor(object), context).findings.filter((finding) =>
        finding.message.startsWith('cannot be judged'),
      );
      t.same(unjudged, [], `${context.clusterMode}: ${JSON.stringify(object)}`);
    }
  }
});

t.test('decide neither mutates its input nor depends on anything but its arguments', async (t) => {
  const object = structuredClone(ruleCases[5]![1]);
  const frozen = deepFreeze(structuredClone(object));
  const first = decide(requestFor(frozen), serverless);
  // A write to the frozen input throws, and decide() would refuse the object as unreadable.
  t.notOk(
    first.findings.some((finding) => finding.rule === unreadableFindings.id),
    `judged, not refused as unreadable: ${first.findings.map((finding) => finding.message).join('; ')}`,
  );
  t.ok(first.findings.length > 0, 'the case is refused for what it holds');
  t.same(decide(requestFor(frozen), serverless), first);
  t.same(frozen, object);
});

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    Object.values(value).forEach(deepFreeze);
    Object.freeze(value);
  }
  return value;
}

t.test('a container without a name is named by its index alone, never by a made-up name', async (t) => {
  const nameless = pod({ containers: [{ image: 'nginx', securityContext: { privileged: true } } as V1Container] });
  const [finding] = decide(requestFor(nameless), serverless).findings;
  t.match(finding, { rule: 'privileged', path: 'spec.containers[0].securityContext.privileged' });
  t.notOk(finding && 'subject' in finding, 'no subject: the container has no name');
  const named = decide(
    requestFor(pod({ containers: [{ name: 'app', image: 'nginx', securityContext: { privileged: true } }] })),
    serverless,
  );
  t.equal(named.findings[0]?.subject, 'app', 'the control: a named container is named');
});
