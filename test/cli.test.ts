// The built command as a user runs it: a subprocess, real files, real TLS.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { cli, startServe } from './helpers/cli.js';
import { FakeApi } from './helpers/fake-api.js';
import { eventually } from './helpers/server.js';

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

t.test('serve generates certificates, answers over TLS, and stops on SIGTERM', async (t) => {
  const certDir = join(t.testdir(), 'certs');
  const served = await startServe(['--cert-dir', certDir]);
  t.match(served.log(), /generated a CA and a serving certificate in .*certs/);
  t.match(served.log(), /eci-profile source: embedded default/);
  const agent = new Agent({ connect: { ca: readFileSync(join(certDir, 'ca.crt')), servername: 'localhost' } });
  const health = await request(`${served.url}/healthz`, { dispatcher: agent });
  t.equal(health.statusCode, 200);
  t.same(await health.body.json(), { status: 'ok' });
  await agent.close();
  t.equal(await served.stop(), 0, 'clean exit on SIGTERM');
});

t.test('serve reads --profile from a file and refuses one that is not a ConfigMap', async (t) => {
  const dir = t.testdir({
    'eci-profile.yaml': 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: eci-profile, namespace: kube-system}\ndata: {selectors: ""}\n',
    'deployment.yaml': 'kind: Deployment\n',
  });
  const served = await startServe(['--cert-dir', join(dir, 'certs'), '--profile', join(dir, 'eci-profile.yaml')]);
  t.match(served.log(), /eci-profile source: file .*eci-profile\.yaml/);
  t.equal(await served.stop(), 0);
  const refused = await run(['serve', '--port', '0', '--cert-dir', join(dir, 'certs'), '--profile', join(dir, 'deployment.yaml')]);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /deployment\.yaml is not a ConfigMap \(kind: Deployment\)/);
});

t.test('serve watches the cluster named by KUBECONFIG', async (t) => {
  const api = await FakeApi.start();
  t.teardown(() => api.close());
  api.setProfile({ selectors: '' });
  const dir = t.testdir({ kubeconfig: api.kubeConfigYaml() });
  const served = await startServe(['--cert-dir', join(dir, 'certs')], { KUBECONFIG: join(dir, 'kubeconfig') });
  t.match(served.log(), /eci-profile source: cluster kube-system\/eci-profile \(watching\)/);
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

t.test('usage errors exit 2 with a reason', async (t) => {
  const cases: ReadonlyArray<readonly [string[], RegExp]> = [
    [[], /Usage: eci-admission/],
    [['launch'], /unknown command launch/],
    [['serve', '--cluster-mode', 'mixed'], /--cluster-mode: mixed is not one of serverless, hybrid/],
    [['serve', '--port', 'https'], /--port: not a port: https/],
    [['serve', '--colour'], /Unknown option '--colour'/],
    [['serve', '--profile', '/nonexistent/eci-profile.yaml', '--cert-dir', join(t.testdir(), 'certs')], /cannot read eci-profile \/nonexistent\/eci-profile\.yaml/],
  ];
  for (const [args, message] of cases) {
    const result = await run(args);
    t.equal(result.code, 2, args.join(' '));
    t.match(result.stderr, message, args.join(' '));
  }
  const help = await run(['--help']);
  t.equal(help.code, 0);
  t.match(help.stdout, /serve/);
});
