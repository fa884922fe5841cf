// The reference tables of docs/ are generated from the rule registry and the schema files, and
// must stay in sync; every command of the CLI the README and its documents show runs from a clone.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { readWebhookConfigurations } from '../lib/cluster/webhook-configurations.js';
import { policyDocs } from '../lib/docs/native-policies.js';
import { defaultPolicies } from '../lib/native-policies/manifests.js';
import { rules } from '../lib/policy/rules/index.js';
import { specDocs } from '../lib/docs/specs.js';
import { withGenerated } from '../lib/docs/regions.js';
import { configDocs, schemaDocs } from '../lib/docs/schemas.js';
import { run } from './helpers/cli.js';
import { FakeApi } from './helpers/fake-api.js';
import { generatedDocuments } from '../tools/generated-docs.js';
import {
  cliCommands,
  cliForm,
  cloneLike,
  documentOf,
  isSynopsis,
  readme,
  readmeCode,
  repoRoot,
  shell,
} from './helpers/readme.js';

t.test(
  'the generated regions of docs/ are current (run `npm run docs` after changing a rule or a schema)',
  async (t) => {
    for (const { file, regions } of generatedDocuments()) {
      const text = documentOf(file);
      t.equal(regions.reduce(withGenerated, text), text, file);
    }
    const reference = documentOf('docs/reference.md');
    for (const rule of rules) t.match(reference, `| \`${rule.id}\` | ${rule.summary} |`, `${rule.id} has its row`);
    t.match(configDocs(), /\| `exemptNamespaces` \| `--exempt-namespace` \| a list of strings \| `\[\]` \|/);
    t.match(configDocs(), /\| `mode` \| `--mode` \| `enforce`, `warn`, `audit` \| `enforce` \|/);
    t.match(specDocs(), /\| 8 \| 4, 8, 16, 32, 64 \| 10, 12, 14, 18,/);
    t.match(specDocs(), /\| 52 \| 96, 192, 384 \| - \|/);
    const policies = policyDocs(defaultPolicies(readWebhookConfigurations()));
    t.match(policies, /`eci-admission-host-path`/);
    t.match(policies, /`resource-policy`: /);
  },
);

t.test('every ECI annotation key of the schema is in the README with its allowed values', async (t) => {
  const docs = schemaDocs();
  t.match(
    docs,
    /\| `k8s\.aliyun\.com\/eci-spot-strategy` \| `SpotAsPriceGo`, `SpotWithPriceLimit` \| `SpotAsPriceGo` \|/,
  );
  t.match(docs, /\| `spec\.units\[\]\.resource` \| `idc`, `ecs`, `eci`, `acs` \|/);
  t.match(docs, /`network\.alibabacloud\.com\/allocated-\*`/);
});

t.test(
  'the README runs the CLI one way, from the clone, and names npx eci-admission only as future work',
  async (t) => {
    t.ok(existsSync(join(repoRoot, cliForm.split(' ')[1]!)), `${cliForm} is the clone's build`);
    const otherForms = readmeCode().filter((code) =>
      /(^|\s|\|)(npx\s+)?eci-admission\s+(serve|check|explain|certs|register|policies|version)\s+[-|]/.test(code),
    );
    t.same(otherForms, [], `every command of the CLI is written ${cliForm} ...`);
    const npx = [...readme.matchAll(/npx eci-admission/g)];
    t.equal(npx.length, 1, 'npx eci-admission is named once');
    t.match(readme.slice(npx[0]!.index, npx[0]!.index + 60), /is future work/);
    t.ok(cliCommands().length >= 10, 'the README has commands of the CLI to run');
  },
);

t.test('every usage line of the CLI in the README names only flags its command has', async (t) => {
  for (const command of cliCommands().filter(isSynopsis)) {
    const name = command.slice(cliForm.length).trim().split(' ')[0]!;
    // `<command>` is any: the overview names them all.
    const help = await run(name.startsWith('<') ? ['--help'] : [name, '--help']);
    t.equal(help.code, 0, `${name} --help`);
    for (const flag of command.match(/--[a-z-]+/g) ?? []) t.match(help.stdout, flag, `${name} has ${flag}`);
  }
});

const cleanPod = 'apiVersion: v1\nkind: Pod\nmetadata: {name: web}\nspec:\n  containers: [{name: web, image: nginx}]\n';

t.test('every other command of the CLI in the README runs, in order, as written, from a clone', async (t) => {
  const api = await FakeApi.start();
  t.teardown(() => api.close());
  const dir = cloneLike(t.testdir({ kubeconfig: api.kubeConfigYaml() }));
  const commands = cliCommands().filter((command) => !isSynopsis(command));
  t.match(commands, [
    `${cliForm} --help`,
    `${cliForm} certs --out certs --secret --ca-bundle`,
    `${cliForm} register --cert-dir certs`,
  ]);
  for (const command of commands) {
    // The register step needs a cluster: the stand-in API; a command reading stdin gets a manifest.
    const result = await shell(command, dir, { stdin: cleanPod, env: { KUBECONFIG: join(dir, 'kubeconfig') } });
    t.equal(result.code, 0, `${command}: ${result.stderr}`);
  }
  t.ok(existsSync(join(dir, 'certs', 'secret.yaml')), "the install's certificates are in certs/");
});
