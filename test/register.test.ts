// Registration against the stand-in API: the webhook configurations of deploy/ are created, or
// only their caBundle is patched, and `serve --register` follows a CA rotation by itself.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { V1MutatingWebhookConfiguration, V1ValidatingWebhookConfiguration } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { readWebhookConfigurations } from '../lib/cluster/webhook-configurations.js';
import { manageCertificate } from '../lib/server/certificate-lifecycle.js';
import { defaultServingNames, generateCertificates } from '../lib/tls/certificates.js';
import { run } from './helpers/cli.js';
import { FakeApi } from './helpers/fake-api.js';
import { eventually, startServer } from './helpers/server.js';

const mutating = 'mutatingwebhookconfigurations';
const validating = 'validatingwebhookconfigurations';

type Configuration = V1MutatingWebhookConfiguration | V1ValidatingWebhookConfiguration;

/** Every webhook's caBundle in both stored configurations, decoded. */
function caBundles(api: FakeApi): Array<string | undefined> {
  return [mutating, validating].flatMap((plural) => {
    const stored = api.webhookConfiguration(plural, 'eci-admission') as Configuration | undefined;
    return (stored?.webhooks ?? []).map(
      (webhook) =>
        webhook.clientConfig.caBundle && Buffer.from(webhook.clientConfig.caBundle, 'base64').toString('utf8'),
    );
  });
}

async function fakeCluster(t: Test) {
  const api = await FakeApi.start();
  t.teardown(() => api.close());
  const dir = t.testdir({ kubeconfig: api.kubeConfigYaml() });
  return { api, dir, env: { KUBECONFIG: join(dir, 'kubeconfig') } };
}

t.test('register creates both configurations with the caBundle, then patches only the caBundle', async (t) => {
  const { api, dir, env } = await fakeCluster(t);
  const certs = join(dir, 'certs');
  t.equal((await run(['certs', '--out', certs])).code, 0);
  const ca = readFileSync(join(certs, 'ca.crt'), 'utf8');

  const created = await run(['register', '--cert-dir', certs], { env });
  t.equal(created.code, 0, created.stderr);
  t.equal(
    created.stdout,
    'MutatingWebhookConfiguration eci-admission: created\nValidatingWebhookConfiguration eci-admission: created\n',
  );
  t.same(caBundles(api), [ca, ca, ca, ca], 'caBundle on every webhook of both configurations');
  const shipped = readWebhookConfigurations();
  const stored = api.webhookConfiguration(validating, 'eci-admission') as V1ValidatingWebhookConfiguration;
  t.same(
    stored.webhooks?.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: undefined } })),
    shipped.validating.webhooks?.map((w) => ({ ...w, clientConfig: { ...w.clientConfig, caBundle: undefined } })),
    'created as shipped in deploy/',
  );

  const again = await run(['register', '--cert-dir', certs], { env });
  t.equal(
    again.stdout,
    'MutatingWebhookConfiguration eci-admission: unchanged\nValidatingWebhookConfiguration eci-admission: unchanged\n',
    'nothing to do: no write',
  );

  // An operator tuned a timeout; a new CA arrives.
  const tuned = { ...stored, webhooks: stored.webhooks!.map((w) => ({ ...w, timeoutSeconds: 3 })) };
  api.setWebhookConfiguration(validating, tuned);
  const rotated = join(dir, 'rotated');
  t.equal((await run(['certs', '--out', rotated])).code, 0);
  const newCa = readFileSync(join(rotated, 'ca.crt'), 'utf8');
  const patched = await run(['register', '--cert-dir', rotated], { env });
  t.equal(
    patched.stdout,
    'MutatingWebhookConfiguration eci-admission: patched\nValidatingWebhookConfiguration eci-admission: patched\n',
  );
  t.same(caBundles(api), [newCa, newCa, newCa, newCa]);
  const after = api.webhookConfiguration(validating, 'eci-admission') as V1ValidatingWebhookConfiguration;
  t.same(
    after.webhooks?.map((w) => w.timeoutSeconds),
    [3, 3, 3],
    'what the operator tuned is kept',
  );
  t.ok(
    api.requests.some((line) =>
      line.startsWith('PATCH /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/eci-admission'),
    ),
  );
});

t.test('serve --register publishes its CA at start and again when the CA in --cert-dir rotates', async (t) => {
  const { api } = await fakeCluster(t);
  const shipped = readWebhookConfigurations();
  // Applied by `kubectl apply -k deploy`: present, without a caBundle.
  api.setWebhookConfiguration(mutating, shipped.mutating);
  api.setWebhookConfiguration(validating, shipped.validating);
  const server = await startServer(t, { registration: { cluster: await api.kubeConfig(), configurations: shipped } });
  const ca = readFileSync(join(server.certDir, 'ca.crt'), 'utf8');
  await eventually(
    async () => caBundles(api),
    (bundles) => bundles.every((bundle) => bundle === ca),
    'the generated CA registered',
  );
  t.pass('registered at start');

  const next = generateCertificates({ ...defaultServingNames, days: 825, now: new Date() });
  writeFileSync(join(server.certDir, 'tls.key'), next.key);
  writeFileSync(join(server.certDir, 'tls.crt'), next.cert);
  writeFileSync(join(server.certDir, 'ca.crt'), next.caCert);
  await eventually(
    async () => caBundles(api),
    (bundles) => bundles.length === 4 && bundles.every((bundle) => bundle === next.caCert),
    'the rotated CA registered',
  );
  t.pass('a CA rotation reached both configurations with no manual step');
});

t.test('a failed registration is retried with the same CA', async (t) => {
  const set = generateCertificates({ ...defaultServingNames, days: 825, now: new Date() });
  const warnings: string[] = [];
  const attempts: string[] = [];
  const lifecycle = manageCertificate({
    dir: t.testdir(),
    initial: { cert: set.cert, key: set.key, ca: set.caCert },
    use: () => undefined,
    log: { info: () => undefined, warn: (_fields, message) => warnings.push(message) },
    now: () => new Date(),
    register: async (caBundle) => {
      attempts.push(caBundle);
      if (attempts.length === 1) throw new Error('connect ECONNREFUSED');
      return [];
    },
    retryMs: 20,
  });
  t.teardown(() => lifecycle.close());
  await eventually(
    async () => attempts.length,
    (count) => count === 2,
    'a second attempt',
  );
  t.same(warnings, ['registering the webhook configurations failed; retrying']);
  t.equal(attempts[1], attempts[0], 'the same caBundle');
});

t.test('register says in one line when the cluster cannot be reached', async (t) => {
  const { api, dir, env } = await fakeCluster(t);
  t.equal((await run(['certs', '--out', join(dir, 'certs')])).code, 0);
  await api.close();
  const result = await run(['register', '--cert-dir', join(dir, 'certs')], { env });
  t.equal(result.code, 2);
  t.match(result.stderr, /^eci-admission register: .*ECONNREFUSED/);
  t.equal(result.stderr.trim().split('\n').length, 1, 'no stack trace');
});
