// A renewed certificate while the server is under load: the kubelet's way of updating a mounted
// Secret (a new folder, then an atomic swap of the `..data` symlink), and a careless copy of
// plain files. No request may fail; new connections must get the new certificate.
import { X509Certificate } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:tls';
import t from 'tap';
import { Agent, request } from 'undici';
import { defaultServingNames, generateCertificates, type CertificateSet } from '../lib/tls/certificates.js';
import { mountVolume, updateVolume } from './helpers/mounted-volume.js';
import { pod, reviewFor } from './helpers/objects.js';
import { eventually, logSink, startServer } from './helpers/server.js';

const newSet = (): CertificateSet => generateCertificates({ ...defaultServingNames, days: 825, now: new Date() });
const filesOf = (set: CertificateSet) => ({ 'ca.crt': set.caCert, 'tls.crt': set.cert, 'tls.key': set.key });
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

/** The fingerprint a new TLS connection is shown. */
function peerFingerprint(url: string, ca: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port), servername: 'localhost', ca }, () => {
      resolve(socket.getPeerX509Certificate()?.fingerprint256 ?? '');
      socket.end();
    });
    socket.on('error', reject);
  });
}

interface Load {
  readonly ok: number;
  readonly failures: string[];
}

/**
 * Workers POST reviews until stop() or the bound, half on kept-alive connections (open across the
 * swap: their requests finish on the old certificate) and half on a new connection per request
 * (handshakes racing the swap). Bounded in count and time so a stuck server fails the test.
 */
function runLoad(url: string, ca: string[], workers = 8, maxRequests = 3000) {
  const keepAlive = new Agent({ connect: { ca, servername: 'localhost' } });
  const fresh = new Agent({ connect: { ca, servername: 'localhost' }, pipelining: 0 });
  const body = JSON.stringify(reviewFor(pod({ containers: [{ name: 'app', image: 'nginx' }] })));
  const result = { ok: 0, failures: [] as string[] };
  let stopping = false;
  let sent = 0;
  const deadline = Date.now() + 20_000;
  const worker = async (index: number) => {
    const reset = index % 2 === 1;
    while (!stopping && sent < maxRequests && Date.now() < deadline) {
      sent++;
      try {
        const response = await request(`${url}/validate`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json' },
          dispatcher: reset ? fresh : keepAlive,
          reset,
        });
        const reply = (await response.body.json()) as { response?: { allowed?: boolean } };
        if (response.statusCode === 200 && reply.response?.allowed === true) result.ok++;
        else result.failures.push(`HTTP ${response.statusCode}`);
      } catch (error) {
        result.failures.push((error as Error).message);
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, (_, index) => worker(index)));
  return {
    result,
    async stop(): Promise<Load> {
      stopping = true;
      await done;
      await Promise.all([keepAlive.close(), fresh.close()]);
      return result;
    },
  };
}

t.test('a Secret updated in place under load: no request fails, new connections get the new certificate', async (t) => {
  const certDir = t.testdir();
  const [before, after] = [newSet(), newSet()];
  mountVolume(certDir, filesOf(before));
  const log = logSink();
  const server = await startServer(t, { certDir, logger: log.logger });
  const trust = [before.caCert, after.caCert];
  t.equal(await peerFingerprint(server.url, trust), fingerprint(before.cert), 'serving the mounted certificate');

  const started = Date.now();
  const load = runLoad(server.url, trust);
  await eventually(
    async () => load.result.ok,
    (ok) => ok >= 100,
    'load under way',
  );
  updateVolume(certDir, filesOf(after));
  const swappedAt = Date.now();
  await eventually(
    () => peerFingerprint(server.url, trust),
    (seen) => seen === fingerprint(after.cert),
    'a new connection sees the new certificate',
  );
  const seenAfterMs = Date.now() - swappedAt;
  const atSwap = load.result.ok;
  await eventually(
    async () => load.result.ok,
    (ok) => ok >= atSwap + 100,
    'load continues on the new certificate',
  );
  const { ok, failures } = await load.stop();

  t.same(failures, [], 'no request failed');
  t.ok(
    ok >= 200,
    `${ok} requests in ${Date.now() - started} ms, the new certificate seen by a new connection ${seenAfterMs} ms after the swap`,
  );
  t.match(log.lines.join(''), /serving a new certificate from the certificate directory/);
});

t.test('files copied one by one: a key that does not match is not used; the matching pair is', async (t) => {
  const certDir = t.testdir();
  const [before, after] = [newSet(), newSet()];
  for (const [name, content] of Object.entries(filesOf(before))) writeFileSync(join(certDir, name), content);
  const log = logSink();
  const server = await startServer(t, { certDir, logger: log.logger });
  const trust = [before.caCert, after.caCert];

  writeFileSync(join(certDir, 'tls.crt'), after.cert);
  await eventually(
    async () => log.lines.join(''),
    (text) => /cannot be used; keeping the current certificate/.test(text),
    'the half-copied pair is refused',
  );
  t.match(log.lines.join(''), /key values mismatch/, 'OpenSSL says why');
  t.equal(await peerFingerprint(server.url, trust), fingerprint(before.cert), 'still serving the old pair');
  t.equal((await server.get('/healthz')).status, 200, 'and answering');

  writeFileSync(join(certDir, 'tls.key'), after.key);
  await eventually(
    () => peerFingerprint(server.url, trust),
    (seen) => seen === fingerprint(after.cert),
    'the completed pair is served',
  );
});
