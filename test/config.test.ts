// `--config FILE` read by the built command: the file's settings apply, a flag given wins over
// its key, and a file that cannot be used is one line and exit 2, for check and for serve.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { settingFlags } from '../lib/config/settings.js';
import { clusterModes, defaults, modes, packagePath, routingFlavours, servingCertificateDays } from '../lib/facts.js';
import { readSchema } from '../lib/json-schema/files.js';
import { run } from './helpers/cli.js';
import { pod } from './helpers/objects.js';

const inShop = { ...pod({ hostNetwork: true }), metadata: { name: 'web', namespace: 'shop' } };
const manifests = { 'pod.yaml': stringify(inShop) };

t.test('check --config applies the file', async (t) => {
  const dir = t.testdir({
    ...manifests,
    'warn.yaml': 'mode: warn\n',
    'exempt.yaml': 'exemptNamespaces: [shop]\n',
    'off.yaml': 'disableRules: [host-network]\n',
  });
  const plain = await run(['check', '-f', join(dir, 'pod.yaml')]);
  t.equal(plain.code, 1, 'denied without a file');
  const warned = await run(['check', '-f', join(dir, 'pod.yaml'), '--config', join(dir, 'warn.yaml')]);
  t.equal(warned.code, 0, warned.stderr);
  t.match(warned.stdout, /Pod\/shop\/web warning host-network:/, 'mode: warn turns the denial into a warning');
  const exempt = await run(['check', '-f', join(dir, 'pod.yaml'), '--config', join(dir, 'exempt.yaml'), '-o', 'json']);
  t.equal(exempt.code, 0, exempt.stderr);
  t.same(JSON.parse(exempt.stdout).objects[0].findings, [], 'an exempt namespace is allowed unchanged');
  const off = await run(['check', '-f', join(dir, 'pod.yaml'), '--config', join(dir, 'off.yaml')]);
  t.equal(off.code, 0, 'a rule the file disables finds nothing');
});

t.test('a flag given wins over its key in the file, lists included', async (t) => {
  const dir = t.testdir({ ...manifests, 'config.yaml': 'mode: warn\nexemptNamespaces: [shop]\n' });
  const config = join(dir, 'config.yaml');
  const enforced = await run([
    'check',
    '-f',
    join(dir, 'pod.yaml'),
    '--config',
    config,
    '--mode',
    'enforce',
    '--exempt-namespace',
    'batch',
  ]);
  t.equal(enforced.code, 1, "--mode enforce and --exempt-namespace batch replace the file's mode and list");
  t.match(enforced.stdout, /Pod\/shop\/web error host-network:/);
  const listOnly = await run(['check', '-f', join(dir, 'pod.yaml'), '--config', config, '--exempt-namespace', 'batch']);
  t.equal(listOnly.code, 0, "the file's mode: warn stays where no flag replaces it");
  t.match(listOnly.stdout, /Pod\/shop\/web warning host-network:/);
});

t.test('a config file that cannot be used is one line and exit 2, for check and serve', async (t) => {
  const dir = t.testdir({
    ...manifests,
    'unknown.yaml': 'mode: warn\nport: 9443\n',
    'value.yaml': 'mode: block\n',
    'rule.yaml': 'warnRules: [no-such-rule]\n',
    'account.yaml': 'exemptServiceAccounts: [deployer]\n',
    'empty.yaml': '',
    'broken.yaml': 'exemptNamespaces: [shop\n',
  });
  const cases: ReadonlyArray<readonly [string, RegExp]> = [
    ['unknown.yaml', /unknown\.yaml: port is not a known field \(known: clusterMode, /],
    ['value.yaml', /value\.yaml: mode: "block" is not one of enforce, warn, audit/],
    ['rule.yaml', /rule\.yaml: warnRules: unknown rule no-such-rule/],
    ['account.yaml', /account\.yaml: exemptServiceAccounts\[0\]: "deployer" is not NAMESPACE\/NAME/],
    ['empty.yaml', /empty\.yaml: holds no settings/],
    ['broken.yaml', /broken\.yaml: not YAML: /],
    ['missing.yaml', /cannot read config .*missing\.yaml/],
  ];
  const runs = cases.flatMap(([file]) => [
    ['check', '-f', join(dir, 'pod.yaml'), '--config', join(dir, file)],
    ['serve', '--port', '0', '--cert-dir', join(dir, 'certs'), '--config', join(dir, file)],
  ]);
  // In parallel: each is a Node start-up, and they are independent.
  const results = await Promise.all(runs.map((args) => run(args, { env: { KUBECONFIG: '' } })));
  results.forEach((result, index) => {
    const [file, message] = cases[Math.floor(index / 2)]!;
    const what = `${runs[index]![0]} ${file}`;
    t.equal(result.code, 2, what);
    t.match(result.stderr, message, what);
    t.equal(result.stderr.trimEnd().split('\n').length, 1, `${what}: one line`);
    t.equal(result.stdout, '', `${what}: nothing else`);
  });
});

t.test('the schema holds one key per setting flag, with the values the code takes', async (t) => {
  const schema = readSchema('config') as {
    additionalProperties: unknown;
    properties: Record<string, { enum?: unknown; default?: unknown }>;
  };
  t.equal(schema.additionalProperties, false, 'unknown keys are refused');
  t.same(Object.keys(schema.properties).sort(), Object.keys(settingFlags).sort());
  for (const [key, flag] of Object.entries(settingFlags)) {
    const plural = flag.replace(/-(.)/g, (_, letter: string) => letter.toUpperCase());
    t.ok(key === plural || key === `${plural}s`, `${key} is the camelCase of --${flag}`);
  }
  t.same(schema.properties.mode?.enum, modes);
  t.same(schema.properties.clusterMode?.enum, clusterModes);
  t.same(schema.properties.routing?.enum, routingFlavours);
  for (const [key, value] of Object.entries(defaults))
    t.equal(schema.properties[key]?.default, value, `${key} default`);
});

t.test("the chart's values and deploy/'s config file start from the same defaults", async (t) => {
  const values = parse(readFileSync(packagePath('charts/eci-admission/values.yaml'), 'utf8')) as Record<
    string,
    unknown
  >;
  const deployed = parse(readFileSync(packagePath('deploy/config.yaml'), 'utf8')) as { data: Record<string, string> };
  const served = parse(Object.values(deployed.data)[0] ?? '') as Record<string, unknown>;
  for (const [key, value] of Object.entries(defaults)) {
    t.equal(values[key], value, `values.yaml ${key}`);
    if (key in served) t.equal(served[key], value, `deploy/config.yaml ${key}`);
  }
  t.equal((values.certificates as { days?: unknown }).days, servingCertificateDays, 'values.yaml certificates.days');
});
