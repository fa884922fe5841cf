// The server fed by the cluster: a loopback stand-in of the Kubernetes API, edited while the
// webhook runs. Every patch is applied with fast-json-patch in validate mode.
import type { V1Pod } from '@kubernetes/client-node';
import jsonpatch from 'fast-json-patch';
import t, { type Test } from 'tap';
import { profileLocations } from '../lib/profile/locations.js';
import { FakeApi } from './helpers/fake-api.js';
import { pod, reviewFor } from './helpers/objects.js';
import { eventually, responseOf, startServer, type TestServer } from './helpers/server.js';

const priceLimit = { SpotAsPriceGo: {}, SpotWithPriceLimit: { 'k8s.aliyun.com/eci-spot-price-limit': '0.5' } };
const spotSelector = (strategy: keyof typeof priceLimit) => ({
  selectors: JSON.stringify([
    {
      name: 'batch',
      namespaceSelector: { matchLabels: { team: 'batch' } },
      effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': strategy, ...priceLimit[strategy] } },
    },
  ]),
});

/** The pod /mutate makes of `input` in `namespace`, by applying the returned patch. */
async function mutated(server: TestServer, input: V1Pod, namespace: string): Promise<V1Pod> {
  const response = responseOf(await server.post('/mutate', reviewFor(input, { namespace })));
  if (!response.patch) return input;
  const patch = JSON.parse(Buffer.from(response.patch, 'base64').toString()) as jsonpatch.Operation[];
  return jsonpatch.applyPatch(structuredClone(input), patch, true).newDocument;
}

const spotOf = (p: V1Pod) => p.metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'];

async function fixture(t: Test) {
  const api = await FakeApi.start({ holdLists: true });
  t.teardown(() => api.close());
  api.setProfile(spotSelector('SpotAsPriceGo'));
  api.setNamespace('batch', { team: 'batch' });
  api.setNamespace('default', {});
  const server = await startServer(t, { cluster: await api.kubeConfig() });
  return { api, server };
}

t.test('not ready before the first list; then the cluster profile and namespaces apply', async (t) => {
  const { api, server } = await fixture(t);
  t.equal((await server.get('/readyz')).status, 503, 'not ready before the lists');
  api.releaseLists();
  const ready = await eventually(
    () => server.get('/readyz'),
    (r) => r.status === 200,
    'readiness',
  );
  t.match(ready.body, { status: 'ready', profile: /^cluster kube-system\/eci-profile@\d+$/ });
  t.equal(spotOf(await mutated(server, pod({}), 'batch')), 'SpotAsPriceGo');
  t.equal(spotOf(await mutated(server, pod({}), 'default')), undefined, 'namespace labels do not match');
  for (const location of profileLocations) {
    t.ok(
      api.requests.some(
        (r) =>
          r.startsWith(`GET /api/v1/namespaces/${location.namespace}/configmaps?`) &&
          r.includes(`fieldSelector=metadata.name%3D${location.name}`),
      ),
      `lists ${location.name} by name`,
    );
  }
  t.ok(
    api.requests.some((r) => r.startsWith('GET /api/v1/namespaces?') && r.includes('watch=true')),
    'watches namespaces',
  );
});

t.test('edits to the profile and to namespace labels apply to the next admission, no restart', async (t) => {
  const { api, server } = await fixture(t);
  api.releaseLists();
  await eventually(
    () => mutated(server, pod({}), 'batch'),
    (p) => spotOf(p) === 'SpotAsPriceGo',
    'first profile',
  );
  api.setProfile(spotSelector('SpotWithPriceLimit'));
  await eventually(
    () => mutated(server, pod({}), 'batch'),
    (p) => spotOf(p) === 'SpotWithPriceLimit',
    'edited profile',
  );
  t.pass('edited profile applies');
  api.setNamespace('default', { team: 'batch', 'alibabacloud.com/eci': 'true' });
  const routed = await eventually(
    () => mutated(server, pod({}), 'default'),
    (p) => p.spec?.nodeSelector?.type === 'virtual-kubelet',
    'relabelled namespace',
  );
  t.equal(spotOf(routed), 'SpotWithPriceLimit');
  t.same(routed.spec?.tolerations, [
    { key: 'virtual-kubelet.io/provider', operator: 'Equal', value: 'alibabacloud', effect: 'NoSchedule' },
  ]);
  api.deleteProfile();
  await eventually(
    () => mutated(server, pod({}), 'batch'),
    (p) => spotOf(p) === undefined,
    'deleted profile',
  );
  t.match((await server.get('/readyz')).body, { profile: 'embedded default' });
});

t.test('a broken profile keeps the last good one and says why', async (t) => {
  const { api, server } = await fixture(t);
  api.releaseLists();
  await eventually(
    () => mutated(server, pod({}), 'batch'),
    (p) => spotOf(p) === 'SpotAsPriceGo',
    'first profile',
  );
  api.setProfile({ selectors: '[{"name": "batch", "namespaceSelector": ' });
  const stale = await eventually(
    () => server.get('/readyz'),
    (r) => 'staleProfile' in r.body,
    'stale detail',
  );
  t.equal(stale.status, 200, 'still ready');
  t.match(stale.body.staleProfile, /refused: data\.selectors: is not valid JSON/);
  t.equal(spotOf(await mutated(server, pod({}), 'batch')), 'SpotAsPriceGo', 'the last good profile still applies');
  api.setProfile(spotSelector('SpotWithPriceLimit'));
  const fresh = await eventually(
    () => server.get('/readyz'),
    (r) => !('staleProfile' in r.body),
    'fixed profile',
  );
  t.match(fresh.body, { status: 'ready' });
});

t.test('the API going away keeps the webhook serving from its cache', async (t) => {
  const { api, server } = await fixture(t);
  api.setNamespace('burst', { 'alibabacloud.com/eci': 'true' });
  api.releaseLists();
  await eventually(
    () => server.get('/readyz'),
    (r) => r.status === 200,
    'readiness',
  );
  await api.close();
  for (let i = 0; i < 3; i++) {
    t.equal(spotOf(await mutated(server, pod({}), 'batch')), 'SpotAsPriceGo', `profile from cache (${i})`);
    t.equal(
      (await mutated(server, pod({}), 'burst')).spec?.nodeSelector?.type,
      'virtual-kubelet',
      `namespace labels from cache (${i})`,
    );
  }
  t.equal((await server.get('/readyz')).status, 200);
  t.equal(
    responseOf(await server.post('/validate', reviewFor(pod({ hostNetwork: true })))).allowed,
    false,
    'still validating',
  );
});

t.test('an acs-profile applies its selectors, wins over an eci-profile, and /readyz names it', async (t) => {
  const { api, server } = await fixture(t);
  api.setProfile(spotSelector('SpotWithPriceLimit'), 'acs-profile');
  api.releaseLists();
  const ready = await eventually(
    () => server.get('/readyz'),
    (r) => r.status === 200 && /acs-profile/.test(String(r.body.profile)),
    'the acs-profile in use',
  );
  t.match(ready.body, { status: 'ready', profile: /^cluster kube-system\/acs-profile@\d+$/ });
  t.equal(spotOf(await mutated(server, pod({}), 'batch')), 'SpotWithPriceLimit', "the acs-profile's selector effect");
  api.deleteProfile('acs-profile');
  await eventually(
    () => mutated(server, pod({}), 'batch'),
    (p) => spotOf(p) === 'SpotAsPriceGo',
    'back to the eci-profile',
  );
  t.match((await server.get('/readyz')).body, { profile: /^cluster kube-system\/eci-profile@\d+$/ });
});
