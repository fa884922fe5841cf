// The built command as a user runs it: a subprocess, real files, real TLS.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { FakeApi } from './helpers/fake-api.js';
import { run, startServe, startServeAs } from './helpers/cli.js';
import { pod, reviewFor } from './helpers/objects.js';
import { eventually } from './helpers/server.js';

t.test(
  'the quick start: serve generates certificates in .local/certs, answers over TLS, and leaves certs/ to the install',
  async (t) => {
    const clone = t.testdir();
    // As `npm start` runs it, but on a free port: loopback only unless --host says otherwise.
    const served = await startServeAs(['--port', '0'], {}, clone);
    t.match(served.url, /^https:\/\/127\.0\.0\.1:\d+$/, 'a local run listens on 127.0.0.1 only');
    t.match(served.log(), /generated a CA and a serving certificate in .*\.local\/certs/);
    t.match(served.log(), /eci-profile source: embedded default/);
    const agent = new Agent({
      connect: { ca: readFileSync(join(clone, '.local', 'certs', 'ca.crt')), servername: 'localhost' },
    });
    const health = await request(`${served.url}/healthz`, { dispatcher: agent });
    t.equal(health.statusCode, 200);
    t.same(await health.body.json(), { status: 'ok' });
    await agent.close();
    t.equal(await served.stop(), 0, 'clean exit on SIGTERM');
    const install = await run(['certs', '--out', 'certs', '--secret', '--ca-bundle'], { cwd: clone });
    t.equal(install.code, 0, `the install's certificates go where the quick start's are not: ${install.stderr}`);
  },
);

t.test('serve reads --profile from a file and refuses one that is not a ConfigMap', async (t) => {
  const dir = t.testdir({
    'eci-profile.yaml':
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: eci-profile, namespace: kube-system}\ndata: {selectors: ""}\n',
    'deployment.yaml': 'kind: Deployment\n',
  });
  const served = await startServe(['--cert-dir', join(dir, 'certs'), '--profile', join(dir, 'eci-profile.yaml')]);
  t.match(served.log(), /eci-profile source: file .*eci-profile\.yaml/);
  t.equal(await served.stop(), 0);
  const refused = await run([
    'serve',
    '--port',
    '0',
    '--cert-dir',
    join(dir, 'certs'),
    '--profile',
    join(dir, 'deployment.yaml'),
  ]);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /deployment\.yaml is not a ConfigMap \(kind: Deployment\)/);
});

t.test('serve watches the cluster named by KUBECONFIG', async (t) => {
  const api = await FakeApi.start();
  t.teardown(() => api.close());
  api.setProfile({ selectors: '' });
  const dir = t.testdir({ kubeconfig: api.kubeConfigYaml() });
  const served = await startServe(['--cert-dir', join(dir, 'certs')], { KUBECONFIG: join(dir, 'kubeconfig') });
  t.match(
    served.log(),
    /eci-profile source: cluster kube-system\/acs-profile or kube-system\/eci-profile \(watching\)/,
  );
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt')), servername: 'localhost' } });
  t.teardown(() => agent.close());
  const readyz = async () => {
    const response = await request(`${served.url}/readyz`, { dispatcher: agent });
    return { status: response.statusCode, body: (await response.body.json()) as { profile: string } };
  };
  const ready = await eventually(readyz, (r) => r.status === 200, 'readiness');
  t.match(ready.body.profile, /^cluster kube-system\/eci-profile@/);
  t.equal(await served.stop(), 0);
});

t.test('serve --log-format text writes a readable line per event; json is the default off a terminal', async (t) => {
  const dir = t.testdir();
  const served = await startServe(['--cert-dir', join(dir, 'certs'), '--log-format', 'text']);
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt')), servername: 'localhost' } });
  const body = JSON.stringify(reviewFor(pod({ hostNetwork: true }), { uid: 'u-1' }));
  const headers = { 'content-type': 'application/json' };
  const response = await request(`${served.url}/validate`, { method: 'POST', dispatcher: agent, body, headers });
  await response.body.dump();
  await agent.close();
  t.equal(await served.stop(), 0);
  const lines = served.log().trimEnd().split('\n');
  t.match(lines, [
    /^\d\d:\d\d:\d\d\.\d{3}Z INFO {2}generated a CA and a serving certificate in .* certDir=\S+ generated=true$/,
  ]);
  const has = (pattern: RegExp) => lines.some((line) => pattern.test(line));
  t.ok(has(/^\S+ INFO {2}eci-admission listening on https:\/\/127\.0\.0\.1:\d+$/), 'where it listens');
  t.equal(lines.filter((line) => /listening/i.test(line)).length, 1, 'said once, not fastify first');
  const review = 'uid=u-1 kind=Pod namespace=default name=p operation=CREATE allowed=false findingCount=1';
  const reviewLine = new RegExp(`^\\S+ INFO  validate reqId=req-\\d+ ${review} findings=\\["host-network"\\]$`);
  t.ok(has(reviewLine), `the review as key=value: ${served.log()}`);
  t.notMatch(served.log(), /"level":/, 'no JSON');
  const json = await startServe(['--cert-dir', join(dir, 'certs')]);
  t.equal(await json.stop(), 0);
  t.match(json.log(), /^\{"level":30,/, 'JSON lines when stdout is not a terminal');
  const wrong = await run(['serve', '--log-format', 'yaml']);
  t.equal(wrong.code, 2);
  t.match(wrong.stderr, /--log-format: yaml is not one of text, json/);
});
