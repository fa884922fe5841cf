// --cert-dir: generate when empty, use what is there, never overwrite.
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ensureCertDir } from '../lib/tls/cert-dir.js';

const now = new Date('2026-11-23T00:00:00Z');

t.test('an empty directory gets a CA and a serving certificate it signed', async (t) => {
  const dir = join(t.testdir(), 'certs');
  const result = await ensureCertDir(dir, now);
  t.equal(result.generated, true);
  const ca = new X509Certificate(readFileSync(join(dir, 'ca.crt')));
  const serving = new X509Certificate(readFileSync(join(dir, 'tls.crt')));
  t.ok(ca.ca, 'ca.crt is a CA');
  t.ok(serving.checkIssued(ca) && serving.verify(ca.publicKey), 'tls.crt is signed by ca.crt');
  t.notOk(serving.ca);
  for (const name of [
    'DNS:localhost',
    'IP Address:127.0.0.1',
    'DNS:eci-admission.eci-admission.svc',
    'DNS:eci-admission.eci-admission.svc.cluster.local',
  ]) {
    t.ok(serving.subjectAltName?.split(', ').includes(name), `SAN ${name}`);
  }
  t.ok(
    new Date(serving.validFrom) < now && new Date(serving.validTo) > new Date(now.getTime() + 800 * 86_400_000),
    'valid from now for 825 days',
  );
  t.equal(statSync(join(dir, 'tls.key')).mode & 0o777, 0o600, 'the key is private');
  t.equal(result.key, readFileSync(join(dir, 'tls.key'), 'utf8'));
});

t.test('existing certificates are used as they are', async (t) => {
  const dir = join(t.testdir(), 'certs');
  const first = await ensureCertDir(dir, now);
  const second = await ensureCertDir(dir, now);
  t.equal(second.generated, false);
  t.equal(second.cert, first.cert);
  t.equal(second.key, first.key);
});

t.test('a partial set is refused, not overwritten', async (t) => {
  const dir = t.testdir({ 'tls.crt': 'mine' });
  await t.rejects(ensureCertDir(dir, now), {
    name: 'CertDirError',
    message: /holds tls\.crt but not both tls\.crt and tls\.key; refusing to overwrite/,
  });
  t.equal(readFileSync(join(dir, 'tls.crt'), 'utf8'), 'mine');
  writeFileSync(join(dir, 'ca.crt'), 'ca');
  await t.rejects(ensureCertDir(dir, now), { message: /holds ca\.crt, tls\.crt/ });
});
