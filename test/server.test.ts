// The webhook over real TLS on loopback, trusting the CA the server generated for itself.
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import t from 'tap';
import { policyContext } from '../lib/policy/context.js';
import { buildApp, maxReviewBytes } from '../lib/server/app.js';
import { staticContext } from '../lib/server/context-source.js';
import { ensureCertDir } from '../lib/tls/cert-dir.js';
import { daemonSet, kubectlCreate, pod, reviewFor } from './helpers/objects.js';
import { responseOf, startServer, type TestServer } from './helpers/server.js';

function withPodSpec(
  object: KubernetesObject,
  path: string[],
  change: (spec: Record<string, unknown>) => void,
): KubernetesObject {
  const copy = structuredClone(object) as unknown as Record<string, unknown>;
  change(path.reduce((node, field) => node[field] as Record<string, unknown>, copy));
  return copy as unknown as KubernetesObject;
}

async function validate(server: TestServer, object: KubernetesObject) {
  const reply = await server.post('/validate', reviewFor(object, { uid: `uid-${object.kind}` }));
  t.equal(reply.status, 200);
  t.match(reply.body, {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: `uid-${object.kind}` },
  });
  return responseOf(reply);
}

t.test('objects made by kubectl get the right verdicts through POST /validate', async (t) => {
  const server = await startServer(t);
  const admitted = [
    kubectlCreate('deployment', 'web', '--image=nginx', '--replicas=2'),
    kubectlCreate('job', 'once', '--image=busybox'),
    kubectlCreate('cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *'),
    kubectlCreate('service', 'loadbalancer', 'lb', '--tcp=80:8080'),
    kubectlCreate('service', 'clusterip', 'internal', '--tcp=80:8080'),
    kubectlCreate('configmap', 'settings', '--from-literal=mode=fast'),
  ];
  for (const object of admitted) {
    const response = await validate(server, object);
    t.same(
      { allowed: response.allowed, status: response.status, warnings: response.warnings },
      { allowed: true, status: undefined, warnings: undefined },
      `${object.kind} ${object.metadata?.name}`,
    );
  }
  const nodePort = await validate(server, kubectlCreate('service', 'nodeport', 'np', '--tcp=80:8080'));
  t.equal(nodePort.allowed, false);
  t.match(nodePort.status, { code: 403, reason: 'Forbidden', message: /node-port: spec\.type: .*LoadBalancer/ });
});

t.test('hand-made objects are denied with the rule id and field path of every finding', async (t) => {
  const server = await startServer(t);
  const cronjob = withPodSpec(
    kubectlCreate('cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *'),
    ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
    (spec) => {
      (spec.containers as Array<Record<string, unknown>>)[0]!.securityContext = { privileged: true };
    },
  );
  const cases: ReadonlyArray<readonly [string, KubernetesObject, readonly string[]]> = [
    [
      'DaemonSet',
      daemonSet({ volumes: [{ name: 'logs', hostPath: { path: '/var/log' } }] }),
      ['daemonset: kind:', 'host-path: spec.template.spec.volumes[0].hostPath (logs):'],
    ],
    [
      'pod with hostPath',
      pod({ volumes: [{ name: 'sock', hostPath: { path: '/run/docker.sock' } }] }),
      ['host-path: spec.volumes[0].hostPath (sock):'],
    ],
    ['pod with hostNetwork', pod({ hostNetwork: true }), ['host-network: spec.hostNetwork:']],
    [
      'pod with hostPort',
      pod({ containers: [{ name: 'web', image: 'nginx', ports: [{ containerPort: 80, hostPort: 80 }] }] }),
      ['host-port: spec.containers[0].ports[0].hostPort (web):'],
    ],
    [
      'privileged init container',
      pod({ initContainers: [{ name: 'sysctl', image: 'busybox', securityContext: { privileged: true } }] }),
      ['privileged: spec.initContainers[0].securityContext.privileged (sysctl):'],
    ],
    [
      'privileged CronJob',
      cronjob,
      ['privileged: spec.jobTemplate.spec.template.spec.containers[0].securityContext.privileged (nightly):'],
    ],
  ];
  for (const [name, object, expected] of cases) {
    const response = await validate(server, object);
    t.equal(response.allowed, false, `${name} denied`);
    t.equal(response.status?.code, 403);
    const lines = response.status?.message.split('\n').slice(1) ?? [];
    t.equal(lines.length, expected.length, `${name}: one line per finding`);
    for (const [index, start] of expected.entries())
      t.ok(lines[index]?.startsWith(`- ${start}`), `${name}: ${lines[index]}`);
  }
});

t.test('warnings go in response.warnings; /mutate allows without a patch', async (t) => {
  const server = await startServer(t);
  const rawSocket = pod({
    containers: [{ name: 'ping', image: 'busybox', securityContext: { capabilities: { add: ['NET_RAW'] } } }],
  });
  const validated = responseOf(await server.post('/validate', reviewFor(rawSocket)));
  t.equal(validated.allowed, true);
  t.match(validated.warnings, [
    /^capabilities: spec\.containers\[0\]\.securityContext\.capabilities\.add\[0\] \(ping\): NET_RAW/,
  ]);
  const mutated = await server.post('/mutate', reviewFor(pod({ hostNetwork: true }), { uid: 'm-1' }));
  t.equal(mutated.status, 200);
  t.same(responseOf(mutated), { uid: 'm-1', allowed: true });
});

t.test('DELETE needs no object and is allowed', async (t) => {
  const server = await startServer(t);
  const review = reviewFor(null, { operation: 'DELETE', oldObject: daemonSet() });
  t.match(responseOf(await server.post('/validate', review)), { uid: 'a1b2c3', allowed: true });
});

t.test('malformed reviews get 400 (or 413) with a reason, and the server keeps serving', async (t) => {
  const server = await startServer(t);
  const good = reviewFor(pod({}));
  const { request, ...noRequest } = good;
  const { uid: _uid, ...noUid } = request!;
  const { object: _object, ...noObject } = request!;
  const cases: ReadonlyArray<readonly [string, string | object, number, RegExp]> = [
    ['not JSON', '{"apiVersion": ', 400, /not valid JSON/],
    ['empty body', '', 400, /empty/i],
    ['an array', '[]', 400, /the body must be of type object/],
    ['no request', noRequest, 400, /request is required/],
    ['no uid', { ...good, request: noUid }, 400, /request\.uid is required/],
    [
      'wrong apiVersion',
      { ...good, apiVersion: 'admission.k8s.io/v1beta1' },
      400,
      /apiVersion must be "admission\.k8s\.io\/v1"/,
    ],
    ['wrong kind', { ...good, kind: 'TokenReview' }, 400, /kind must be "AdmissionReview"/],
    ['CREATE without object', { ...good, request: noObject }, 400, /request\.object is required/],
    [
      'UPDATE with a null object',
      { ...good, request: { ...request, operation: 'UPDATE', object: null } },
      400,
      /request\.object must be of type object/,
    ],
    [
      'unknown operation',
      { ...good, request: { ...request, operation: 'PATCH' } },
      400,
      /request\.operation must be one of CREATE, UPDATE, DELETE, CONNECT/,
    ],
    ['over the size limit', { ...good, padding: 'x'.repeat(maxReviewBytes) }, 413, /larger than 8 MiB, the limit/],
  ];
  for (const [name, body, status, reason] of cases) {
    const reply = await server.post('/validate', body);
    t.equal(reply.status, status, name);
    t.match(reply.body.message, reason, `${name}: ${String(reply.body.message)}`);
    t.equal((await server.get('/healthz')).status, 200, `serving after ${name}`);
  }
  t.equal(responseOf(await server.post('/validate', good)).allowed, true, 'still deciding');
});

t.test('a body that is not application/json gets 415 naming application/json, whatever it holds', async (t) => {
  const server = await startServer(t);
  const review = JSON.stringify(reviewFor(pod({})));
  const wanted = 'the body must be application/json (the API server sends it so)';
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/yaml']) {
    const reply = await server.post('/validate', review, { 'content-type': type });
    t.equal(reply.status, 415, type);
    t.match(reply.body.message, `${wanted}, not ${type}`, `${type}: ${String(reply.body.message)}`);
  }
  const untyped = await server.call('POST', '/validate', review, { 'content-type': '' });
  t.equal(untyped.status, 415, 'no Content-Type');
  t.match(untyped.body.message, `${wanted}; it came without a Content-Type`);
  const charset = await server.post('/validate', review, { 'content-type': 'application/json; charset=utf-8' });
  t.equal(responseOf(charset).allowed, true, 'application/json with a charset is JSON');
});

t.test('the webhooks answer other methods with 405 and Allow: POST', async (t) => {
  const server = await startServer(t);
  for (const path of ['/validate', '/mutate']) {
    for (const method of ['GET', 'PUT', 'DELETE'] as const) {
      const reply = await server.call(method, path);
      t.equal(reply.status, 405, `${method} ${path}`);
      t.equal(reply.headers.allow, 'POST', `${method} ${path}: Allow`);
      t.match(reply.body.message, `${path} takes POST (an AdmissionReview), not ${method}`);
    }
  }
  t.equal((await server.get('/nowhere')).status, 404, 'an unknown path is still 404');
});

t.test('every refusal says its HTTP reason phrase and what was wrong, never a fastify code', async (t) => {
  const server = await startServer(t);
  const review = reviewFor(pod({}));
  const refusals = [
    ['not JSON', await server.post('/validate', '{"apiVersion": '), 400, /not valid JSON/],
    ['no request', await server.post('/validate', { ...review, request: undefined }), 400, /request is required/],
    ['too large', await server.post('/validate', { ...review, padding: 'x'.repeat(maxReviewBytes) }), 413, /8 MiB/],
    ['text', await server.post('/validate', '{}', { 'content-type': 'text/plain' }), 415, /application\/json/],
    ['a GET', await server.call('GET', '/mutate'), 405, /takes POST/],
    ['no such path', await server.call('POST', '/nowhere?x=1'), 404, /^POST \/nowhere: no such route$/],
  ] as const;
  const phrases = {
    400: 'Bad Request',
    404: 'Not Found',
    405: 'Method Not Allowed',
    413: 'Payload Too Large',
    415: 'Unsupported Media Type',
  };
  for (const [what, reply, status, message] of refusals) {
    t.match(reply, { status, body: { statusCode: status, error: phrases[status], message } }, what);
    t.same(Object.keys(reply.body).sort(), ['error', 'message', 'statusCode'], `${what}: one shape`);
    t.notMatch(JSON.stringify(reply.body), /FST_/, `${what}: no fastify code`);
  }
});

t.test('health and readiness', async (t) => {
  const server = await startServer(t);
  t.same(await server.get('/healthz'), { status: 200, body: { status: 'ok' } });
  t.same(await server.get('/readyz'), { status: 200, body: { status: 'ready', profile: 'embedded default' } });
});

t.test('/readyz is 503 until the listener serves and again from the shutdown on; /healthz stays 200', async (t) => {
  const certificate = await ensureCertDir(join(t.testdir(), 'certs'), new Date());
  const app = buildApp({ tls: certificate, context: staticContext(policyContext()), logger: false });
  t.teardown(() => app.close());
  // inject reaches the app whether it listens or not.
  const get = async (url: string) => {
    const reply = await app.inject({ method: 'GET', url });
    return { status: reply.statusCode, connection: reply.headers.connection, body: reply.json() };
  };
  t.match(await get('/readyz'), { status: 503, body: { status: 'not listening' } }, 'before listen()');
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.match(await get('/readyz'), { status: 200, body: { status: 'ready' } }, 'listening');
  app.beginShutdown();
  t.match(await get('/readyz'), { status: 503, body: { status: 'shutting down' } }, 'shutting down');
  t.match(await get('/healthz'), { status: 200, connection: 'close', body: { status: 'ok' } }, 'alive, closing');
});

t.test('/validate refuses a bad eci-profile with the path, and warns about ignored fields', async (t) => {
  const server = await startServer(t);
  const configMap = (name: string, namespace: string, data: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace },
    data,
  });
  const bad = configMap('eci-profile', 'kube-system', {
    selectors: JSON.stringify([
      { name: 'a' },
      { name: 'b', objectSelector: { matchExpressions: [{ key: 'tier', operator: 'In' }] } },
    ]),
  });
  const denied = responseOf(await server.post('/validate', reviewFor(bad)));
  t.equal(denied.allowed, false);
  t.match(
    denied.status?.message,
    /eci-profile: data\.selectors\[1\]\.objectSelector\.matchExpressions\[0\]: values is required; correct it/,
  );
  const acs = responseOf(
    await server.post('/validate', reviewFor(configMap('acs-profile', 'kube-system', { selectors: '[{' }))),
  );
  t.match(acs.status?.message, /eci-profile: data\.selectors: is not valid JSON/, 'acs-profile too');
  const ignored = configMap('eci-profile', 'kube-system', {
    vswitchId: 'vsw-1',
    selectors: JSON.stringify([{ name: 'a', priority: 1, objectSelector: {} }]),
  });
  const warned = responseOf(
    await server.post('/validate', reviewFor(ignored, { operation: 'UPDATE', oldObject: ignored })),
  );
  t.equal(warned.allowed, true);
  t.match(warned.warnings, [
    /^eci-profile: data\.vswitchId: is not a known eci-profile key/,
    /^eci-profile: data\.selectors\[0\]\.priority: belongs to the Selector CRD/,
  ]);
  const elsewhere = configMap('eci-profile', 'default', { selectors: '[{' });
  t.same(
    responseOf(await server.post('/validate', reviewFor(elsewhere))),
    { uid: 'a1b2c3', allowed: true },
    'only kube-system holds the profile',
  );
});
