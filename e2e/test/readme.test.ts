// 9. The README's kubectl examples, run against the real API server, print what the README shows,
// and its install steps of the CLI run as written from a clone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { cliCommands, cliForm, cloneLike, readme, shell } from '../../test/helpers/readme.js';
import { kubectl, kubectlOk, register } from '../helpers.js';
import { adminKubeconfig, e2eModuleDir } from '../paths.js';

/** The output the README shows under `$ <command>` in a code block. */
function shownOutput(command: string): string {
  const start = readme.indexOf(`$ ${command}\n`);
  if (start < 0) throw new Error(`the README has no example of ${command}`);
  const from = start + command.length + 3;
  return readme.slice(from, readme.indexOf('```', from)).trimEnd();
}

t.test('kubectl apply -f agent.yaml: the denial as the README shows it', async (t) => {
  const result = await kubectl(['apply', '-f', 'agent.yaml'], { cwd: join(e2eModuleDir, 'fixtures') });
  t.equal(result.code, 1);
  t.equal(result.stderr.trimEnd(), shownOutput('kubectl apply -f agent.yaml'));
});

t.test("the install's verification command is refused with host-network", async (t) => {
  const result = await kubectl([
    'run',
    'eci-check',
    '--image=nginx',
    '--dry-run=server',
    '-o',
    'yaml',
    '--overrides={"spec":{"hostNetwork":true}}',
  ]);
  t.match(
    readme,
    `kubectl run eci-check --image=nginx --dry-run=server -o yaml --overrides='{"spec":{"hostNetwork":true}}'`,
  );
  t.equal(result.code, 1);
  t.match(result.stderr, /denied the request: .*\n- host-network: spec\.hostNetwork/);
});

t.test("kubectl get of the two configurations, as the install's verification step runs it", async (t) => {
  const result = await kubectl(['get', 'mutatingwebhookconfiguration,validatingwebhookconfiguration', 'eci-admission']);
  t.equal(result.code, 0, result.stderr);
  t.match(result.stdout, /mutatingwebhookconfiguration\.admissionregistration\.k8s\.io\/eci-admission\s+1\s/);
  t.match(result.stdout, /validatingwebhookconfiguration\.admissionregistration\.k8s\.io\/eci-admission\s+3\s/);
});

t.test(
  "the install's certs and register steps, as written, set the caBundle of the cluster's configurations",
  async (t) => {
    const steps = [`${cliForm} certs --out certs --secret --ca-bundle`, `${cliForm} register --cert-dir certs`];
    t.same(
      cliCommands().filter((command) => steps.includes(command)),
      steps,
      'the README has both steps',
    );
    const clone = cloneLike(t.testdir());
    try {
      const certs = await shell(steps[0]!, clone);
      t.equal(certs.code, 0, certs.stderr);
      const registered = await shell(steps[1]!, clone, { env: { KUBECONFIG: adminKubeconfig } });
      t.equal(registered.code, 0, registered.stderr);
      t.equal(
        registered.stdout,
        'MutatingWebhookConfiguration eci-admission: patched\nValidatingWebhookConfiguration eci-admission: patched\n',
      );
      const caBundle = await kubectlOk([
        'get',
        'validatingwebhookconfiguration',
        'eci-admission',
        '-o',
        'jsonpath={.webhooks[0].clientConfig.caBundle}',
      ]);
      t.equal(
        caBundle.trim(),
        readFileSync(join(clone, 'certs', 'ca-bundle.txt'), 'utf8').trim(),
        'the caBundle is the new ca-bundle.txt',
      );
    } finally {
      // The configurations trust the new CA until the e2e webhook's own is registered again.
      t.equal((await register()).code, 0, "the e2e webhook's CA is back");
    }
  },
);
