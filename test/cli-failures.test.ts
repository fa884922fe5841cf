// Every way the command can fail at start says so in one line and exits 2: a KUBECONFIG that is
// missing or not a kubeconfig, a port in use, a cluster that refuses, unreadable input. The
// stack trace is only for LOG_LEVEL=debug.
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { oneLine, run } from './helpers/cli.js';
import { FakeApi } from './helpers/fake-api.js';

t.test('serve and register with a missing or invalid KUBECONFIG', async (t) => {
  const dir = t.testdir({ 'not-a-kubeconfig': 'clusters: [\n' });
  const certDir = join(dir, 'certs');
  t.equal((await run(['certs', '--out', certDir])).code, 0);
  const serve = ['serve', '--port', '0', '--host', '127.0.0.1', '--cert-dir', certDir];
  const [missing, invalid, register] = await Promise.all([
    run(serve, { env: { KUBECONFIG: join(dir, 'nowhere') } }),
    run(serve, { env: { KUBECONFIG: join(dir, 'not-a-kubeconfig') } }),
    run(['register', '--cert-dir', certDir], { env: { KUBECONFIG: join(dir, 'nowhere') } }),
  ]);
  oneLine(t, missing, /^eci-admission serve: KUBECONFIG .*nowhere cannot be used: ENOENT/, 'missing');
  oneLine(t, invalid, /^eci-admission serve: KUBECONFIG .*not-a-kubeconfig cannot be used: /, 'invalid');
  oneLine(t, register, /^eci-admission register: KUBECONFIG .*nowhere cannot be used: ENOENT/, 'register');
});

t.test('scan and register with no kubeconfig anywhere say so, in the same words', async (t) => {
  const dir = t.testdir({ home: {} });
  const certDir = join(dir, 'certs');
  t.equal((await run(['certs', '--out', certDir])).code, 0);
  // No KUBECONFIG, a home without ~/.kube/config, and no service account (this is no pod).
  const env = { KUBECONFIG: '', HOME: join(dir, 'home') };
  const [scan, register] = await Promise.all([
    run(['scan', '-A'], { env }),
    run(['register', '--cert-dir', certDir], { env }),
  ]);
  const needs = (what: string, where: string) =>
    new RegExp(`^eci-admission ${what}: ${what} needs a cluster: ${where}, or run in a pod with a service account\n$`);
  oneLine(t, register, needs('register', 'set KUBECONFIG'), 'register');
  oneLine(t, scan, needs('scan', 'pass --kubeconfig, set KUBECONFIG or write ~/.kube/config'), 'scan');
  t.notMatch(scan.stderr, /HTTP protocol/, "not client-node's guess of http://localhost:8080");
});

t.test('serve on a port in use', async (t) => {
  const taken = createServer().listen(0, '127.0.0.1');
  await once(taken, 'listening');
  t.teardown(() => taken.close());
  const port = String((taken.address() as AddressInfo).port);
  const result = await run(['serve', '--port', port, '--host', '127.0.0.1', '--cert-dir', join(t.testdir(), 'certs')], {
    env: { KUBECONFIG: '' },
  });
  oneLine(t, result, /^eci-admission serve: listen EADDRINUSE/, 'port in use');
});

t.test('register against a cluster that refuses', async (t) => {
  const api = await FakeApi.start();
  const dir = t.testdir({ kubeconfig: api.kubeConfigYaml() });
  await api.close();
  t.equal((await run(['certs', '--out', join(dir, 'certs')])).code, 0);
  const result = await run(['register', '--cert-dir', join(dir, 'certs')], {
    env: { KUBECONFIG: join(dir, 'kubeconfig') },
  });
  oneLine(t, result, /^eci-admission register: .*ECONNREFUSED/, 'refused');
});

t.test('check on input nested too deep to read', async (t) => {
  const deep = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"x":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
  const dir = t.testdir({ 'deep.json': deep });
  const result = await run(['check', '-f', join(dir, 'deep.json')]);
  t.equal(result.code, 2, 'exit 2');
  t.match(result.stdout, /deep\.json:1 error /);
  t.equal(result.stderr, '', 'no stack trace');
});

t.test('LOG_LEVEL=debug adds the stack trace', async (t) => {
  const result = await run(['serve', '--port', '0', '--cert-dir', join(t.testdir(), 'certs')], {
    env: { KUBECONFIG: '/nonexistent/kubeconfig', LOG_LEVEL: 'debug' },
  });
  t.equal(result.code, 2);
  t.match(
    result.stderr,
    /^eci-admission serve: KUBECONFIG \/nonexistent\/kubeconfig cannot be used: .*\n.*Error: KUBECONFIG[\s\S]*\n\s+at /,
  );
});
