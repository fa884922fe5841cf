// `eci-admission certs` as a user runs it, and the certificate it makes in use: verified by
// openssl, and served to a client that knows only the CA and the in-cluster name.
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import t from 'tap';
import { parse } from 'yaml';
import { run, startServe } from './helpers/cli.js';

const serviceNames = [
  'eci-admission',
  'eci-admission.eci-admission',
  'eci-admission.eci-admission.svc',
  'eci-admission.eci-admission.svc.cluster.local',
];

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

t.test('certs writes a CA, a serving certificate for the Service names, the Secret and the caBundle', async (t) => {
  const out = join(t.testdir(), 'certs');
  const result = await run(['certs', '--out', out, '--secret', '--ca-bundle']);
  t.equal(result.code, 0, result.stderr);
  const files = ['tls.key', 'tls.crt', 'ca.crt', 'secret.yaml', 'ca-bundle.txt'];
  t.same(
    result.stdout.trim().split('\n'),
    files.map((file) => `wrote ${join(out, file)}`),
  );
  t.equal(statSync(join(out, 'tls.key')).mode & 0o777, 0o600, 'tls.key is private');
  t.equal(statSync(join(out, 'secret.yaml')).mode & 0o777, 0o600, 'the Secret holds the key: private too');

  const read = (file: string) => readFileSync(join(out, file), 'utf8');
  const serving = new X509Certificate(read('tls.crt'));
  t.same(
    serving.subjectAltName?.split(', '),
    serviceNames.map((name) => `DNS:${name}`),
    'exactly the four Service names',
  );
  const days = (new Date(serving.validTo).getTime() - Date.now()) / 86_400_000;
  t.ok(days > 824 && days <= 825, `valid 825 days (${days.toFixed(2)})`);
  if (hasOpenssl()) {
    const verified = execFileSync('openssl', ['verify', '-CAfile', join(out, 'ca.crt'), join(out, 'tls.crt')], {
      encoding: 'utf8',
    });
    t.match(verified, /tls\.crt: OK/, 'openssl verify -CAfile ca.crt tls.crt');
  } else {
    // No openssl here: the same check with Node's X509 (issuer and signature).
    const ca = new X509Certificate(read('ca.crt'));
    t.ok(serving.checkIssued(ca) && serving.verify(ca.publicKey), 'tls.crt verifies against ca.crt (node:crypto)');
  }

  const secret = parse(read('secret.yaml')) as {
    kind: string;
    type: string;
    metadata: { name: string; namespace: string };
    data: Record<string, string>;
  };
  t.match(secret, {
    kind: 'Secret',
    type: 'kubernetes.io/tls',
    metadata: { name: 'eci-admission-tls', namespace: 'eci-admission' },
  });
  for (const file of ['ca.crt', 'tls.crt', 'tls.key'])
    t.equal(Buffer.from(secret.data[file]!, 'base64').toString('utf8'), read(file), `Secret ${file}`);
  t.equal(
    Buffer.from(read('ca-bundle.txt').trim(), 'base64').toString('utf8'),
    read('ca.crt'),
    'caBundle is base64 of ca.crt',
  );

  const again = await run(['certs', '--out', out]);
  t.equal(again.code, 2);
  t.match(again.stderr, /already holds tls\.key, tls\.crt, ca\.crt; refusing to overwrite/);
  t.equal(new X509Certificate(read('tls.crt')).fingerprint256, serving.fingerprint256, 'nothing overwritten');
});

t.test('--service and --namespace name the certificate for another install', async (t) => {
  const out = join(t.testdir(), 'certs');
  t.equal(
    (await run(['certs', '--out', out, '--service', 'webhook', '--namespace', 'platform', '--days', '90'])).code,
    0,
  );
  const serving = new X509Certificate(readFileSync(join(out, 'tls.crt')));
  t.same(serving.subjectAltName?.split(', '), [
    'DNS:webhook',
    'DNS:webhook.platform',
    'DNS:webhook.platform.svc',
    'DNS:webhook.platform.svc.cluster.local',
  ]);
});

t.test('serve presents the certificate to a client that knows the CA and the in-cluster name', async (t) => {
  const out = join(t.testdir(), 'certs');
  t.equal((await run(['certs', '--out', out, '--days', '10'])).code, 0);
  const served = await startServe(['--cert-dir', out]);
  t.teardown(() => served.stop());
  t.match(served.log(), /serving the certificate in/);
  t.match(served.log(), /the serving certificate expires in 9 days/, 'warned: less than 30 days left');
  const port = Number(new URL(served.url).port);
  const peer = await new Promise<{ authorized: boolean; fingerprint: string }>((resolve, reject) => {
    const socket = connect(
      { host: '127.0.0.1', port, servername: 'eci-admission.eci-admission.svc', ca: readFileSync(join(out, 'ca.crt')) },
      () => {
        resolve({ authorized: socket.authorized, fingerprint: socket.getPeerX509Certificate()?.fingerprint256 ?? '' });
        socket.end();
      },
    );
    socket.on('error', reject);
  });
  t.ok(peer.authorized, 'the TLS handshake verifies with the CA for eci-admission.eci-admission.svc');
  t.equal(peer.fingerprint, new X509Certificate(readFileSync(join(out, 'tls.crt'))).fingerprint256);
  await t.rejects(
    new Promise((resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port, servername: 'other.example', ca: readFileSync(join(out, 'ca.crt')) },
        () => resolve(socket.end()),
      );
      socket.on('error', reject);
    }),
    { code: 'ERR_TLS_CERT_ALTNAME_INVALID' },
    'a name outside the SANs is refused (the check can fail)',
  );
});

t.test('a certificate with a day left is said to expire in 1 day', async (t) => {
  const out = join(t.testdir(), 'certs');
  t.equal((await run(['certs', '--out', out, '--days', '2'])).code, 0);
  const served = await startServe(['--cert-dir', out]);
  t.match(served.log(), /the serving certificate expires in 1 day \(/);
  t.equal(await served.stop(), 0);
});
