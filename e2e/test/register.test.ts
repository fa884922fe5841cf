// 7. `eci-admission register` on the real configurations: sets a missing caBundle, and a second
// run changes nothing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { kubectlOk, register } from '../helpers.js';
import { webhookCertDir } from '../paths.js';

const caBundles = async (kind: string) => {
  const stored = JSON.parse(await kubectlOk(['get', kind, 'eci-admission', '-o', 'json'])) as {
    webhooks: Array<{ clientConfig: { caBundle?: string } }>;
  };
  return stored.webhooks.map((webhook) => webhook.clientConfig.caBundle);
};

t.test('register sets the caBundle the cluster lacks; a second run says unchanged', async (t) => {
  const expected = readFileSync(join(webhookCertDir, 'ca.crt')).toString('base64');
  await kubectlOk([
    'patch',
    'validatingwebhookconfiguration',
    'eci-admission',
    '--type=json',
    '-p',
    '[{"op":"remove","path":"/webhooks/1/clientConfig/caBundle"}]',
  ]);
  t.equal((await caBundles('validatingwebhookconfiguration'))[1], undefined, 'the caBundle is gone');

  const first = await register();
  t.equal(first.code, 0, first.stderr);
  t.match(first.stdout, 'MutatingWebhookConfiguration eci-admission: unchanged');
  t.match(first.stdout, 'ValidatingWebhookConfiguration eci-admission: patched');
  for (const kind of ['mutatingwebhookconfiguration', 'validatingwebhookconfiguration']) {
    for (const bundle of await caBundles(kind)) t.equal(bundle, expected, `${kind}: every webhook trusts ca.crt`);
  }
  const second = await register();
  t.equal(second.code, 0, second.stderr);
  t.equal(
    second.stdout,
    'MutatingWebhookConfiguration eci-admission: unchanged\nValidatingWebhookConfiguration eci-admission: unchanged\n',
  );
});
