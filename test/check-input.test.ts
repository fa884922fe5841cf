// Where check's objects come from, taken as `kubectl apply` takes them: a kustomization rendered
// with -k (and a folder holding one, given as a path, sent to -k), -n for the objects that name no
// namespace, input without objects refused unless --allow-empty, and cluster-scoped objects in no
// namespace. The built CLI on real files, with the kubectl of the machine.
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { oneLine, run } from './helpers/cli.js';
import { kubectlCreate } from './helpers/objects.js';

const yamlOf = (...objects: object[]) => objects.map((object) => stringify(object)).join('---\n');

interface JsonReport {
  objects: Array<{ file: string; kind: string; name: string; namespace?: string; verdict: string }>;
  errors: Array<{ file: string; line: number; message: string }>;
}

const report = (stdout: string) => JSON.parse(stdout) as JsonReport;

/** kubectl's Deployment, in no namespace, and a patch kustomize lays over it. */
const web = kubectlCreate('deployment', 'web', '--image=nginx');
const hostNetwork = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: { template: { spec: { hostNetwork: true } } },
};
const kustomization = { resources: ['web.yaml'], namespace: 'shop', patches: [{ path: 'host-network.yaml' }] };

t.test('-k judges what kubectl kustomize renders, as kubectl apply -k would send it', async (t) => {
  const dir = join(
    t.testdir({
      app: {
        'kustomization.yaml': stringify(kustomization),
        'web.yaml': yamlOf(web),
        'host-network.yaml': yamlOf(hostNetwork),
      },
    }),
    'app',
  );
  const checked = await run(['check', '-k', dir, '-o', 'json']);
  t.equal(checked.code, 1, `the patched Deployment is denied: ${checked.stderr}`);
  t.match(report(checked.stdout).objects, [
    { file: `<kustomize ${dir}>`, kind: 'Deployment', name: 'web', namespace: 'shop', verdict: 'denied' },
  ]);
  t.match((await run(['check', '--kustomize', dir])).stdout, /Deployment\/shop\/web error host-network: /);
  oneLine(t, await run(['check', '-k', dir, '-f', join(dir, 'web.yaml')]), /-k takes the place of PATHs/, '-k and -f');
});

t.test('a folder holding a kustomization, given as a path, is sent to -k; its files are not read', async (t) => {
  const dir = t.testdir({
    'pod.yaml': yamlOf(kubectlCreate('deployment', 'api', '--image=nginx')),
    app: { 'kustomization.yaml': stringify(kustomization), 'web.yaml': yamlOf(web), 'host-network.yaml': '' },
    yml: { 'kustomization.yml': stringify(kustomization) },
    capital: { Kustomization: stringify(kustomization), nested: { 'kustomization.yaml': '' } },
  });
  const checked = await run(['check', '-f', dir, '-o', 'json']);
  t.equal(checked.code, 2, 'bad input');
  const { objects, errors } = report(checked.stdout);
  t.same(
    objects.map((object) => object.name),
    ['api'],
    'the files beside the kustomizations are read, theirs are not',
  );
  const useK = (folder: string) => ({
    file: folder,
    line: 0,
    message: new RegExp(`: use -k ${folder}, as for kubectl`),
  });
  t.match(
    errors,
    ['app', 'capital', 'yml'].map((folder) => useK(join(dir, folder))),
    'one error for each kustomization, the outermost of nested ones',
  );
  t.equal(errors.length, 3);
  const file = await run(['check', join(dir, 'app', 'kustomization.yaml'), '-o', 'json']);
  t.match(report(file.stdout).errors, [useK(join(dir, 'app'))], 'the kustomization file itself too');
});

t.test('-k without kubectl, or with a kustomization kubectl refuses, fails in one line', async (t) => {
  const dir = t.testdir({ empty: {} });
  oneLine(
    t,
    await run(['check', '-k', dir], { env: { PATH: join(dir, 'empty') } }),
    /^eci-admission check: -k renders the kustomization with kubectl kustomize: kubectl is not on PATH\n$/,
    'no kubectl',
  );
  oneLine(
    t,
    await run(['check', '-k', join(dir, 'empty')]),
    /^eci-admission check: kubectl kustomize .*empty: unable to find one of 'kustomization\.yaml'/,
    'no kustomization',
  );
});

t.test('input without objects exits 2 saying so, as kubectl apply does, unless --allow-empty', async (t) => {
  const dir = t.testdir({ empty: {}, 'comments.yaml': '# nothing yet\n---\n' });
  for (const [what, args, stdin] of [
    ['an empty line on stdin', ['-f', '-'], '\n'],
    ['a file of comments', [join(dir, 'comments.yaml')], ''],
    ['an empty folder', [join(dir, 'empty')], ''],
  ] as const) {
    oneLine(t, await run(['check', ...args], { stdin }), /^eci-admission check: no objects in the input/, what);
    const allowed = await run(['check', ...args, '--allow-empty'], { stdin });
    t.equal(allowed.code, 0, `${what}: --allow-empty`);
    t.match(allowed.stdout, /^0 objects: /, `${what}: the summary says so`);
  }
});

t.test('-n is the namespace of the objects that name none; one naming another is refused', async (t) => {
  const elsewhere = {
    ...kubectlCreate('deployment', 'api', '--image=nginx'),
    metadata: { name: 'api', namespace: 'ops' },
  };
  const clusterWide = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'reader' } },
  ];
  const file = join(t.testdir({ 'all.yaml': yamlOf(web, elsewhere, ...clusterWide) }), 'all.yaml');
  const inShop = await run(['check', '-n', 'shop', file, '-o', 'json']);
  t.equal(inShop.code, 2, 'an object of another namespace is bad input, as for kubectl apply -n');
  const { objects, errors } = report(inShop.stdout);
  t.match(objects, [
    { name: 'web', namespace: 'shop' },
    { kind: 'Namespace', name: 'shop' },
    { kind: 'ClusterRole', name: 'reader' },
  ]);
  // After the Deployment's lines and the `---` that ends it.
  const line = yamlOf(web).split('\n').length + 1;
  t.match(errors, [{ file, line, message: /namespace ops is not -n shop/ }]);
  const plain = report((await run(['check', '--namespace-labels', 'x=a=b', file, '-o', 'json'])).stdout);
  t.same(
    plain.objects.map((object) => object.namespace),
    ['default', 'ops', undefined, undefined],
    'without -n: its own, else default; cluster-scoped objects have none',
  );
  const explained = (await run(['explain', '-n', 'shop', file])).stdout;
  t.match(explained, /^Deployment\/shop\/web \(/m);
  t.match(explained, /^ClusterRole\/reader \(/m);
});
