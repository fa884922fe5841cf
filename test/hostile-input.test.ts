// Input built to break the webhook: values nested thousands of levels deep, mistyped request
// fields, keys that name Object.prototype, huge uids and objects with thousands of findings.
// Every one is answered (denied with the reason where it cannot be judged), never with a 5xx,
// which under failurePolicy Ignore would admit it unchecked.
import { join } from 'node:path';
import type { KubernetesObject, V1ConfigMap } from '@kubernetes/client-node';
import t from 'tap';
import { maxObjectDepth, maxValueDepth } from '../lib/json/bounded.js';
import { policyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { maxFindingsShown } from '../lib/policy/findings.js';
import { run } from './helpers/cli.js';
import { FakeApi } from './helpers/fake-api.js';
import { daemonSet, pod, requestFor, reviewFor } from './helpers/objects.js';
import { eventually, responseOf, startServer } from './helpers/server.js';

const deepJson = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const jsonAnnotations = [
  'k8s.aliyun.com/eci-custom-hosts',
  'k8s.aliyun.com/eci-custom-dnsconfig',
  'k8s.aliyun.com/eci-host-sysctls',
  'k8s.aliyun.com/eci-ephemeral-storage-options',
];
const limitFinding = new RegExp(`nested deeper than ${maxValueDepth} levels`);

/** A hostNetwork pod carrying `annotation` nested 5,000 levels deep. */
const deepAnnotationPod = (annotation: string) => pod({ hostNetwork: true }, {}, { [annotation]: deepJson(5000) });

const profileMap = (selectors: string): V1ConfigMap => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'eci-profile', namespace: 'kube-system' },
  data: { selectors },
});

t.test('decide: a 5,000-level annotation value is denied with the limit and hostNetwork', async (t) => {
  for (const annotation of jsonAnnotations) {
    const decision = decide(requestFor(deepAnnotationPod(annotation)), policyContext());
    t.equal(decision.allowed, false, annotation);
    t.same(decision.findings.map((f) => f.rule).sort(), ['eci-annotations', 'host-network'], annotation);
    t.match(decision.findings.find((f) => f.rule === 'eci-annotations')?.message, limitFinding, annotation);
  }
});

t.test('/validate over TLS: the same pods are denied, with both findings', async (t) => {
  const server = await startServer(t);
  for (const annotation of jsonAnnotations) {
    const reply = await server.post('/validate', reviewFor(deepAnnotationPod(annotation)));
    t.equal(reply.status, 200, annotation);
    const response = responseOf(reply);
    t.equal(response.allowed, false, annotation);
    t.match(response.status?.message, /host-network: spec\.hostNetwork/, annotation);
    t.match(response.status?.message, limitFinding, annotation);
  }
});

t.test('check: the same pod is denied (exit 1), not a stack trace', async (t) => {
  const dir = t.testdir({ 'pod.json': JSON.stringify(deepAnnotationPod(jsonAnnotations[0]!)) });
  const result = await run(['check', '-f', join(dir, 'pod.json')]);
  t.equal(result.code, 1, result.stderr);
  t.match(result.stdout, /error host-network/);
  t.match(result.stdout, limitFinding);
  t.equal(result.stderr, '');
});

t.test(
  'an object nested past any real one is denied through decide and /validate; /mutate allows it unpatched',
  async (t) => {
    const object = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"hostNetwork":true,"x":${deepJson(5000)}}}`;
    const decision = decide(requestFor(JSON.parse(object) as KubernetesObject), policyContext());
    t.match(decision, {
      allowed: false,
      findings: [{ rule: 'malformed', message: new RegExp(`deeper than ${maxObjectDepth} levels`) }],
    });
    const server = await startServer(t);
    // Written out: JSON.stringify itself recurses, and would overflow on the object.
    const body = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"a1b2c3","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"default","object":${object}}}`;
    const validated = await server.post('/validate', body);
    t.equal(validated.status, 200);
    t.match(responseOf(validated), {
      allowed: false,
      status: { code: 403, message: /malformed: object: is nested deeper than/ },
    });
    const mutated = await server.post('/mutate', body);
    t.same(responseOf(mutated), { uid: 'a1b2c3', allowed: true }, 'a mutating webhook never denies');
  },
);

t.test('anything that throws while judging is a denial with the reason, not an exception', async (t) => {
  const base = policyContext();
  const throwing = policyContext({
    schemas: {
      ...base.schemas,
      eciAnnotations: () => {
        throw new Error('schema exploded');
      },
    },
  });
  const decision = decide(requestFor(pod({})), throwing);
  t.match(decision, {
    allowed: false,
    findings: [{ rule: 'malformed', message: /cannot be judged: schema exploded/ }],
  });
});

t.test('a 5,000-level profile selectors value is refused at /validate', async (t) => {
  const server = await startServer(t);
  const reply = await server.post('/validate', reviewFor(profileMap(deepJson(5000))));
  t.equal(reply.status, 200);
  t.match(responseOf(reply), {
    allowed: false,
    status: { message: /eci-profile: data\.selectors: is nested deeper than 32 levels/ },
  });
});

t.test(
  'served by the cluster, the same profile leaves the server running and ready with the last good one',
  async (t) => {
    const api = await FakeApi.start();
    t.teardown(() => api.close());
    api.setProfile({ selectors: JSON.stringify([{ name: 'good', effect: { labels: { tier: 'good' } } }]) });
    const server = await startServer(t, { cluster: await api.kubeConfig() });
    await eventually(
      () => server.get('/readyz'),
      (r) => r.status === 200,
      'first sync',
    );
    const good = (await server.get('/readyz')).body.profile;
    api.setProfile({ selectors: deepJson(5000) });
    const stale = await eventually(
      () => server.get('/readyz'),
      (r) => 'staleProfile' in r.body,
      'the refusal',
    );
    t.equal(stale.status, 200, 'still ready');
    t.equal(stale.body.profile, good, 'the last good profile');
    t.match(stale.body.staleProfile, /data\.selectors: is nested deeper than 32 levels/);
    t.equal(
      responseOf(await server.post('/validate', reviewFor(pod({ hostNetwork: true })))).allowed,
      false,
      'still judging',
    );
    t.match(await server.text('/metrics'), /^eci_admission_profile_parse_errors_total 1$/m, 'counted');
  },
);

t.test('serve --profile and check --profile with that profile: one line, exit 2', async (t) => {
  const dir = t.testdir({
    'profile.json': JSON.stringify(profileMap(deepJson(5000))),
    'pod.json': JSON.stringify(pod({})),
  });
  const profile = join(dir, 'profile.json');
  const served = await run(
    ['serve', '--port', '0', '--host', '127.0.0.1', '--cert-dir', join(dir, 'certs'), '--profile', profile],
    { env: { KUBECONFIG: '' } },
  );
  t.equal(served.code, 2);
  t.match(served.stderr, /^eci-admission serve: .*data\.selectors: is nested deeper than 32 levels, the limit\n$/);
  const checked = await run(['check', '-f', join(dir, 'pod.json'), '--profile', profile]);
  t.equal(checked.code, 2);
  t.match(checked.stdout, /data\.selectors: is nested deeper than 32 levels/);
  t.notMatch(checked.stderr, /\n\s+at /, 'no stack trace');
});

t.test('userInfo is typed by the review schema: wrong types get a 400, not a 500', async (t) => {
  const server = await startServer(t);
  for (const groups of ['system:masters', { a: 1 }, [1, 2]]) {
    const review = reviewFor(pod({}));
    const reply = await server.post('/validate', {
      ...review,
      request: { ...review.request!, userInfo: { username: 'alice', groups } },
    });
    t.equal(reply.status, 400, JSON.stringify(groups));
    t.match(reply.body.message, /request\.userInfo\.groups/);
  }
  const odd = {
    ...requestFor(pod({ hostNetwork: true })),
    userInfo: { groups: 'system:masters' },
  } as unknown as Parameters<typeof decide>[0];
  t.equal(decide(odd, policyContext()).allowed, false, 'decide reads mistyped groups as none');
});

t.test('__proto__ and constructor keys are data: answered, and no prototype is touched', async (t) => {
  const server = await startServer(t);
  const data = `{"__proto__":{"polluted":"yes"},"constructor":"x","selectors":"[{\\"name\\":\\"a\\",\\"objectSelector\\":{\\"matchLabels\\":{\\"__proto__\\":\\"x\\"}}}]"}`;
  const review = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1","kind":{"group":"","version":"v1","kind":"ConfigMap"},"operation":"CREATE","namespace":"kube-system","object":{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"eci-profile","namespace":"kube-system","labels":{"__proto__":"x"}},"data":${data}}}}`;
  const reply = await server.post('/validate', review);
  t.equal(reply.status, 200);
  t.match(
    responseOf(reply),
    {
      uid: 'u1',
      allowed: false,
      status: { message: /eci-profile: data\.__proto__: \{"polluted":"yes"\} is not a string/ },
    },
    'a key that is not a string value is named',
  );
  const podReview = `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u2","kind":{"group":"","version":"v1","kind":"Pod"},"operation":"CREATE","namespace":"default","object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"__proto__":"x","constructor":"y","alibabacloud.com/eci":"true"}},"spec":{"containers":[{"name":"a","image":"x"}]}}}}`;
  for (const path of ['/mutate', '/validate']) t.equal((await server.post(path, podReview)).status, 200, path);
  t.equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype untouched');
});

t.test('a uid longer than a UUID is refused with a 400 that does not echo it', async (t) => {
  const server = await startServer(t);
  const reply = await server.post('/validate', reviewFor(pod({}), { uid: 'u'.repeat(1024 * 1024) }));
  t.equal(reply.status, 400);
  t.match(reply.body.message, /request\.uid must NOT have more than 36 characters/);
  t.ok(JSON.stringify(reply.body).length < 1000, 'a short answer');
  t.equal(
    (await server.post('/validate', reviewFor(pod({}), { uid: '0e8f4e6c-3f0a-4a8e-9a7c-2b1d5e6f7a8b' }))).status,
    200,
    'a UUID passes',
  );
});

t.test('findings in a response are capped with "and N more"', async (t) => {
  const server = await startServer(t);
  const volumes = Array.from({ length: 10_000 }, (_, i) => ({ name: `v${i}`, hostPath: { path: `/var/log/${i}` } }));
  const reply = await server.post('/validate', reviewFor(daemonSet({ volumes })));
  const message = responseOf(reply).status?.message ?? '';
  t.equal(message.split('\n').length, 1 + maxFindingsShown + 1, 'a header, the first findings, one more line');
  // daemonset, 10,000 host-path, and instance-limits (more than 20 volumes).
  t.match(message, new RegExp(`\\nand ${10_002 - maxFindingsShown} more$`));
  t.ok(JSON.stringify(reply.body).length < 20_000, `a small answer (${JSON.stringify(reply.body).length} bytes)`);
});
