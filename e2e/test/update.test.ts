// 6. UPDATE and DELETE: a forbidden field introduced by an update is refused; an object created
// before the webhook (here: while it was down) can still lose its finalizer; DELETE passes.
import type { KubernetesObject } from '@kubernetes/client-node';
import t from 'tap';
import { getJson, kubectl, kubectlObjects, namespace } from '../helpers.js';
import { startWebhook, stopWebhook, webhookArgs } from '../webhook.js';

const ns = 'e2e-update';
const deployment = (name: string, spec: Record<string, unknown> = {}, finalizers?: string[]) =>
  ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, ...(finalizers ? { finalizers } : {}) },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
      },
    },
  }) as KubernetesObject;

t.before(async () => void (await namespace(ns)));

t.test('an UPDATE that introduces hostNetwork is refused', async (t) => {
  t.equal((await kubectlObjects(['apply'], deployment('web'))).code, 0);
  const updated = await kubectlObjects(['apply'], deployment('web', { hostNetwork: true }));
  t.equal(updated.code, 1);
  t.match(updated.stderr, 'host-network: spec.template.spec.hostNetwork');
  t.notOk(
    (await getJson<{ spec: { template: { spec: { hostNetwork?: boolean } } } }>('deployment', 'web', ns)).spec.template
      .spec.hostNetwork,
    'the stored object is unchanged',
  );
});

t.test('an object from before the webhook loses its finalizer, and is deleted', async (t) => {
  const args = webhookArgs();
  await stopWebhook();
  const created = await kubectlObjects(['create'], deployment('legacy', { hostNetwork: true }, ['e2e.local/hold']));
  await startWebhook(args);
  t.equal(created.code, 0, 'admitted while the webhook was down (failurePolicy: Ignore)');
  const released = await kubectl([
    'patch',
    'deployment',
    'legacy',
    '-n',
    ns,
    '--type=json',
    '-p',
    '[{"op":"remove","path":"/metadata/finalizers"}]',
  ]);
  t.equal(released.code, 0, released.stderr);
  t.match(released.stderr, /^Warning: host-network: /m, 'the findings come back as warnings');
  const deleted = await kubectl(['delete', 'deployment', 'legacy', '-n', ns, '--wait=true']);
  t.equal(deleted.code, 0, deleted.stderr);
  t.equal((await kubectl(['get', 'deployment', 'legacy', '-n', ns])).code, 1, 'gone');
});
