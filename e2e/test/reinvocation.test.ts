// 5. Reinvocation: another mutating webhook, called after ours, adds a label that an eci-profile
// selector matches; with reinvocationPolicy IfNeeded the API server calls us again, and the
// stored pod carries that selector's effect, with no toleration twice.
import { once } from 'node:events';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { V1Pod } from '@kubernetes/client-node';
import t from 'tap';
import { generateCertificates } from '../../lib/tls/certificates.js';
import { applyProfile, deleteProfile, getJson, kubectlObjects, kubectlOk, namespace, pod } from '../helpers.js';

const ns = 'e2e-reinvoke';
const label = 'e2e-tier';

/** A mutating webhook that adds the label to every pod it is sent. */
async function startLabeller() {
  const tls = generateCertificates({ dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'], days: 1, now: new Date() });
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const review = JSON.parse(body) as { request: { uid: string; object: V1Pod } };
      const labels = review.request.object.metadata?.labels;
      const has = labels?.[label] !== undefined;
      const patch = has
        ? []
        : labels
          ? [{ op: 'add', path: `/metadata/labels/${label}`, value: 'spot' }]
          : [{ op: 'add', path: '/metadata/labels', value: { [label]: 'spot' } }];
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          apiVersion: 'admission.k8s.io/v1',
          kind: 'AdmissionReview',
          response: {
            uid: review.request.uid,
            allowed: true,
            ...(has ? {} : { patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(patch)).toString('base64') }),
          },
        }),
      );
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as AddressInfo).port, caBundle: Buffer.from(tls.caCert).toString('base64') };
}

t.test("a label added by a later webhook gets its selector's effect, once", async (t) => {
  await namespace(ns, { 'alibabacloud.com/eci': 'true' });
  await applyProfile([
    {
      name: 'tier-spot',
      objectSelector: { matchLabels: { [label]: 'spot' } },
      effect: {
        annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' },
        labels: { 'eci-selector': 'tier-spot' },
      },
    },
  ]);
  t.teardown(deleteProfile);
  const labeller = await startLabeller();
  t.teardown(() => void labeller.server.close());
  // Configurations are called in the order of their names: this one after eci-admission.
  const configuration = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'zz-e2e-labeller' },
    webhooks: [
      {
        name: 'labeller.e2e.local',
        clientConfig: { url: `https://127.0.0.1:${labeller.port}/`, caBundle: labeller.caBundle },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        failurePolicy: 'Fail',
        reinvocationPolicy: 'Never',
      },
    ],
  };
  t.equal((await kubectlObjects(['apply'], configuration as never)).code, 0);
  t.teardown(() => kubectlOk(['delete', 'mutatingwebhookconfiguration', 'zz-e2e-labeller']).then(() => undefined));
  await untilLabelled();

  t.equal((await kubectlObjects(['create'], pod('reinvoked', ns, { app: 'web' }))).code, 0);
  const stored = await getJson<V1Pod>('pod', 'reinvoked', ns);
  t.equal(stored.metadata?.labels?.[label], 'spot', 'the other webhook labelled it');
  t.equal(
    stored.metadata?.annotations?.['k8s.aliyun.com/eci-spot-strategy'],
    'SpotAsPriceGo',
    'the selector matched on reinvocation',
  );
  t.equal(stored.metadata?.labels?.['eci-selector'], 'tier-spot');
  const tolerations =
    stored.spec?.tolerations?.filter((toleration) => toleration.key === 'virtual-kubelet.io/provider') ?? [];
  t.equal(tolerations.length, 1, 'the routing toleration once');
  t.equal(stored.spec?.nodeSelector?.type, 'virtual-kubelet');
});

/** The new configuration reaches the admission chain a moment after it is written. */
async function untilLabelled(): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const result = await kubectlObjects(['create', '--dry-run=server', '-o', 'json'], pod('probe', ns));
    if (result.code === 0 && (JSON.parse(result.stdout) as V1Pod).metadata?.labels?.[label]) return;
    await sleep(200);
  }
  throw new Error('the labeller webhook never took effect');
}
