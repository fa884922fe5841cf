// 1. The install: every object of deploy/ is accepted by the API server, and the webhook runs with
// the ServiceAccount and RBAC that deploy/ gives it, nothing more.
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { kubectl, kubectlOk, webhookProfile } from '../helpers.js';
import { installDir, repoRoot, webhookKubeconfig } from '../paths.js';

interface Rendered {
  kind: string;
  metadata: { name: string; namespace?: string };
  webhooks?: Array<{
    name: string;
    clientConfig: {
      url?: string;
      service?: { namespace: string; name: string; port?: number; path?: string };
      caBundle?: string;
    };
    matchConditions?: unknown[];
  }>;
}

async function render(dir: string): Promise<Rendered[]> {
  return parseAllDocuments(await kubectlOk(['kustomize', dir])).map((document) => document.toJS() as Rendered);
}

const serviceAccount = 'system:serviceaccount:eci-admission:eci-admission';

t.test(
  'kubectl apply -k deploy is accepted: every object, both webhook configurations with matchConditions',
  async (t) => {
    const objects = await render(`${repoRoot}/deploy`);
    const result = await kubectl(['apply', '-k', `${repoRoot}/deploy`, '--dry-run=server']);
    t.equal(result.code, 0, result.stderr);
    for (const object of objects) {
      t.match(
        result.stdout,
        `${object.metadata.name} `,
        `${object.kind} ${object.metadata.name} is in the server's answer`,
      );
    }
    t.ok(
      objects.some((object) => object.webhooks?.some((webhook) => webhook.matchConditions)),
      'the base has matchConditions',
    );
  },
);

t.test('the e2e install is on the cluster, every webhook calls the Service and carries the CA', async (t) => {
  for (const object of await render(installDir)) {
    const ns = object.metadata.namespace ? ['-n', object.metadata.namespace] : [];
    const stored = await kubectl(['get', object.kind, object.metadata.name, ...ns, '-o', 'json']);
    t.equal(stored.code, 0, `${object.kind}/${object.metadata.name} exists`);
    for (const webhook of (JSON.parse(stored.stdout) as Rendered).webhooks ?? []) {
      t.same(
        webhook.clientConfig.service,
        { namespace: 'eci-admission', name: 'eci-admission', port: 443, path: webhook.clientConfig.service?.path },
        `${webhook.name} calls the Service of deploy/ on 443`,
      );
      t.notOk(webhook.clientConfig.url, `${webhook.name} has no URL`);
      // Set by `serve --register` with the ServiceAccount's token: deploy/registration's RBAC works.
      t.ok(webhook.clientConfig.caBundle, `${webhook.name} has a caBundle`);
    }
  }
  const profiles = JSON.parse(
    await kubectlOk(['get', 'validatingwebhookconfiguration', 'eci-admission', '-o', 'json']),
  ) as Rendered;
  t.ok(
    profiles.webhooks?.find((webhook) => webhook.name === 'profiles.eci-admission.svc')?.matchConditions,
    'the API server kept the matchConditions',
  );
});

t.test('the webhook runs as the ServiceAccount, with exactly the rights it needs', async (t) => {
  const whoami = JSON.parse(await kubectlOk(['auth', 'whoami', '-o', 'json'], { kubeconfig: webhookKubeconfig })) as {
    status: { userInfo: { username: string } };
  };
  t.equal(whoami.status.userInfo.username, serviceAccount);
  // It reached /readyz with these rights (e2e:up waits for it): the lists of namespaces and of
  // the eci-profile succeeded. These are the rights, and only these.
  const can = async (...args: string[]) =>
    (await kubectl(['auth', 'can-i', ...args, `--as=${serviceAccount}`])).stdout.trim();
  t.equal(await can('watch', 'namespaces'), 'yes');
  t.equal(await can('get', 'configmap/eci-profile', '-n', 'kube-system'), 'yes');
  t.equal(await can('watch', 'configmap/acs-profile', '-n', 'kube-system'), 'yes');
  t.equal(await can('patch', 'validatingwebhookconfiguration/eci-admission'), 'yes');
  t.equal(await can('list', 'configmaps', '-n', 'kube-system'), 'no', 'no other kube-system ConfigMap can be listed');
  t.equal(await can('get', 'secrets', '-n', 'eci-admission'), 'no');
  t.equal(await can('create', 'validatingwebhookconfigurations'), 'no');
  t.equal(await can('patch', 'validatingwebhookconfiguration/other'), 'no');
  t.match(
    await webhookProfile(),
    /^(cluster kube-system\/eci-profile|embedded)/,
    'the profile comes from the cluster watch',
  );
});
