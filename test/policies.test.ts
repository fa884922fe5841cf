// `eci-admission policies` as a user runs it: the built CLI writing real files. What the API
// server makes of the policies is tested against the real one (e2e/test/policies.test.ts).
import { execFileSync } from 'node:child_process';
import { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parseAllDocuments } from 'yaml';
import { downwardApiFields, podSysctls, securityContextFields } from '../lib/eci/pod-fields.js';
import { listLiteral, literal } from '../lib/native-policies/cel.js';
import { unfilledMessage } from '../lib/policy/rules/downward-api.js';
import { rules } from '../lib/policy/rules/index.js';
import { ignoredMessage, sysctlMessage, sysctlWorkaround } from '../lib/policy/rules/security-context.js';
import { oneLine, run } from './helpers/cli.js';
import { packagePath } from '../lib/facts.js';

const deployPolicies = packagePath('deploy/policies/');
const webhookFile = packagePath('deploy/webhook-configurations.yaml');

interface Manifest {
  readonly kind: string;
  readonly metadata: { name: string };
  readonly spec: {
    readonly validationActions?: string[];
    readonly matchResources?: { namespaceSelector?: unknown };
    readonly variables?: Array<{ name: string; expression: string }>;
    readonly validations?: Array<{ expression: string; messageExpression: string }>;
  };
}

interface Generated {
  readonly stdout: string;
  readonly manifests: readonly Manifest[];
}

/** Each command line runs once per file: its output is fixed, and the tests only read it. */
const generated = new Map<string, Promise<Generated>>();

function generate(...args: string[]): Promise<Generated> {
  const key = JSON.stringify(args);
  const known = generated.get(key) ?? policies(args);
  generated.set(key, known);
  return known;
}

async function policies(args: string[]): Promise<Generated> {
  const result = await run(['policies', ...args]);
  if (result.code !== 0) throw new Error(`policies exited ${result.code}: ${result.stderr}`);
  return {
    stdout: result.stdout,
    manifests: parseAllDocuments(result.stdout).map((document) => document.toJS() as Manifest),
  };
}

const ofKind = (manifests: readonly Manifest[], kind: string) => manifests.filter((m) => m.kind === kind);

t.test('every rule has a policy or is listed as not covered, with a reason', async (t) => {
  const { stdout, manifests } = await generate();
  const names = ofKind(manifests, 'ValidatingAdmissionPolicy').map((m) => m.metadata.name);
  // A rule that only warns has no policy of its own: its checks are in the warnings policy.
  const warnings = JSON.stringify(
    ofKind(manifests, 'ValidatingAdmissionPolicy').find((m) => m.metadata.name === 'eci-admission-warnings'),
  );
  for (const { id } of rules) {
    const listed = new RegExp(`^# - ${id}: (.+)$`, 'm').exec(stdout);
    const covered = names.includes(`eci-admission-${id}`) || warnings.includes(`\\"${id}: \\"`);
    t.ok(covered !== (listed !== null), `${id}: a policy, or listed (not both)`);
    if (listed) t.notMatch(listed[1], /no CEL form/, `${id}: the list says why`);
  }
  t.match(stdout, /^# - eci-routing: .*eci-profile/m, 'what the mutating webhook does is listed too');
  t.match(
    stdout,
    /^# - eci-annotations annotations\["k8s\.aliyun\.com\/eci-custom-hosts"\]: .*JSON/m,
    'annotation keys CEL cannot state are listed',
  );
  t.same(names.length, ofKind(manifests, 'ValidatingAdmissionPolicyBinding').length, 'each policy has its binding');
  t.notMatch(stdout, /^# - .*: x-(source|format|message)$/m, 'a keyword that only describes leaves no key uncovered');
});

/** The literal pieces of a message around its value, as the CEL writes them. */
function pieces(message: (value: string) => string): string[] {
  return message('\u0000').split('\u0000').filter(Boolean).map(literal);
}

/** A variable of the warnings policy, checked to be warned about when it holds findings. */
async function warningsVariable(t: Test, name: string): Promise<string> {
  const { stdout, manifests } = await generate();
  const policies = ofKind(manifests, 'ValidatingAdmissionPolicy');
  const warnings = policies.find((m) => m.metadata.name === 'eci-admission-warnings')!;
  const warned = warnings.spec.validations!.filter((v) => v.messageExpression === `variables.${name}.join('; ')`);
  const wanted = `variables.unchanged || (size(variables.${name}) == 0)`;
  t.same(
    warned.map((v) => v.expression),
    [wanted],
    `${name}: warned when not empty`,
  );
  t.notMatch(stdout, new RegExp(`^# - ${name.replace('_', '-')}:`, 'm'), 'not listed as left to the webhook');
  const expression = warnings.spec.variables!.find((v) => v.name === name)?.expression ?? '';
  for (const list of ['containers', 'initContainers', 'ephemeralContainers']) {
    t.match(expression, `variables.spec.${list}`, `reads ${list}`);
  }
  t.match(expression, "variables.specPath + '.containers'", 'paths below the pod template, whatever the kind');
  return expression;
}

t.test('the warnings policy states security-context with the lists of lib/eci/pod-fields.ts', async (t) => {
  const security = await warningsVariable(t, 'security_context');
  const kubernetes = { pod: V1PodSecurityContext, container: V1SecurityContext };
  for (const level of ['pod', 'container'] as const) {
    const applied: readonly string[] = securityContextFields[level];
    t.match(security, `!(key in ${listLiteral(applied)})`, `the ${level} fields ECI applies, from pod-fields.ts`);
    const fields = kubernetes[level].getAttributeTypeMap().map(({ baseName }) => baseName);
    const ignored = fields.filter((field) => !applied.includes(field)).sort();
    t.match(security, `${listLiteral(ignored)}.filter(key, key in `, `the API's other ${level} fields, in order`);
    for (const piece of pieces((names) => ignoredMessage(names, level))) {
      t.match(security, piece, `the ${level} message is the rule's`);
    }
  }
  t.match(security, /\[0, 1, 2, .*, 31\]\.filter\(sortAt, sortAt < size\(/, 'other keys ordered without sort()');
  for (const pattern of podSysctls.allowed) {
    const prefix = pattern.endsWith('*') ? pattern.slice(0, -1) : undefined;
    const test = prefix ? `x.name.startsWith(${literal(prefix)})` : `x.name == ${literal(pattern)}`;
    t.match(security, test, `sysctl ${pattern}`);
  }
  t.match(security, `!(x.name in ${listLiteral(podSysctls.except)})`, 'the sysctls excepted');
  for (const piece of [...pieces(sysctlMessage), literal(`; ${sysctlWorkaround}`)]) {
    t.match(security, piece, "the rule's sysctl finding");
  }
});

t.test('the warnings policy states downward-api with the list of lib/eci/pod-fields.ts', async (t) => {
  const downward = await warningsVariable(t, 'downward_api');
  t.match(downward, `in ${listLiteral([...downwardApiFields])}`, 'the fields ECI fills in, from pod-fields.ts');
  for (const piece of pieces(unfilledMessage)) t.match(downward, piece, "the message is the rule's");
  for (const at of ["'.env'", "'.downwardAPI.items'", "'.projected.sources'"]) {
    t.match(downward, at, `fieldRefs in ${at}`);
  }
});

t.test('--mode maps to validationActions; warnings are a policy of their own', async (t) => {
  for (const [mode, deny, warn] of [
    ['enforce', 'Deny', 'Warn'],
    ['warn', 'Warn', 'Warn'],
    ['audit', 'Audit', 'Audit'],
  ] as const) {
    const bindings = ofKind((await generate('--mode', mode)).manifests, 'ValidatingAdmissionPolicyBinding');
    for (const binding of bindings) {
      const wanted = binding.metadata.name === 'eci-admission-warnings' ? warn : deny;
      t.same(binding.spec.validationActions, [wanted], `${mode}: ${binding.metadata.name}`);
    }
  }
});

t.test('bindings exclude the namespaces the webhook configurations exclude', async (t) => {
  const validate = parseAllDocuments(readFileSync(webhookFile, 'utf8'))
    .map(
      (document) => document.toJS() as { kind: string; webhooks?: Array<{ name: string; namespaceSelector: unknown }> },
    )
    .find((document) => document.kind === 'ValidatingWebhookConfiguration')!
    .webhooks!.find((webhook) => webhook.name === 'validate.eci-admission.svc')!;
  for (const binding of ofKind((await generate()).manifests, 'ValidatingAdmissionPolicyBinding')) {
    t.same(binding.spec.matchResources?.namespaceSelector, validate.namespaceSelector, binding.metadata.name);
  }
});

t.test('--cluster-mode hybrid judges only what is ECI-bound; serverless judges everything', async (t) => {
  const judged = async (mode: string) =>
    ofKind((await generate('--cluster-mode', mode)).manifests, 'ValidatingAdmissionPolicy').flatMap((policy) =>
      policy.spec.validations!.map((v) => v.expression),
    );
  const hybrid = await judged('hybrid');
  t.ok(
    hybrid.length > 0 && hybrid.every((expression) => expression.includes('!variables.eciBound')),
    'every hybrid validation skips what is not ECI-bound',
  );
  t.notOk((await judged('serverless')).some((expression) => expression.includes('eciBound')));
  t.match(
    (await generate('--cluster-mode', 'hybrid')).stdout,
    /^# - eci-profile selectors: /m,
    'hybrid lists what it cannot see',
  );
});

t.test('--mutating adds virtual-node routing as a MutatingAdmissionPolicy for new pods', async (t) => {
  t.notOk(
    (await generate()).manifests.some((m) => m.kind.startsWith('Mutating')),
    'not by default: the API is beta',
  );
  const { manifests } = await generate('--mutating', '--routing', 'eci-vnode');
  const [policy] = ofKind(manifests, 'MutatingAdmissionPolicy') as unknown as Array<{
    spec: { mutations: Array<{ jsonPatch: { expression: string } }> };
  }>;
  t.match(policy?.spec.mutations[0]?.jsonPatch.expression, /"k8s\.aliyun\.com\/vnode"/, 'the flavour chosen');
  const [binding] = ofKind(manifests, 'MutatingAdmissionPolicyBinding');
  t.same(binding?.spec.matchResources?.namespaceSelector, {
    matchExpressions: [
      { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['eci-admission', 'kube-system'] },
    ],
  });
});

t.test('--rule chooses policies; a rule without one is a usage error', async (t) => {
  const names = ofKind(
    (await generate('--rule', 'host-path', '--rule', 'capabilities')).manifests,
    'ValidatingAdmissionPolicy',
  ).map((m) => m.metadata.name);
  t.same(
    names,
    ['eci-admission-host-path', 'eci-admission-capabilities', 'eci-admission-warnings'],
    'capabilities brings its NET_RAW warning',
  );
  const refused = await run(['policies', '--rule', 'eci-profile']);
  t.equal(refused.code, 2);
  t.match(refused.stderr, /--rule: eci-profile has no policy/);
});

t.test('--out refuses to overwrite, as certs does: nothing is written when a file is there', async (t) => {
  const out = t.testdir({ 'eci-admission-host-path.yaml': '# mine\n' });
  const again = await run(['policies', '--out', out, '--mode', 'warn']);
  oneLine(
    t,
    again,
    /^eci-admission policies: .* already holds eci-admission-host-path\.yaml; refusing to overwrite\n$/,
    'refused',
  );
  t.same(readdirSync(out), ['eci-admission-host-path.yaml'], 'nothing else written');
  t.equal(readFileSync(join(out, 'eci-admission-host-path.yaml'), 'utf8'), '# mine\n', 'and that file kept');
});

t.test('deploy/policies holds the defaults as --out writes them, and kustomize renders them', async (t) => {
  const out = join(mkdtempSync(join(tmpdir(), 'eci-policies-')), 'policies');
  const written = await run(['policies', '--out', out]);
  t.equal(written.code, 0, written.stderr);
  t.match(written.stdout, `wrote ${join(out, 'kustomization.yaml')}`);
  t.same(readdirSync(deployPolicies).sort(), readdirSync(out).sort(), 'the same files');
  for (const file of readdirSync(out)) {
    t.equal(
      readFileSync(join(deployPolicies, file), 'utf8'),
      readFileSync(join(out, file), 'utf8'),
      `${file} is current: run \`npm run build && rm -r deploy/policies && node dist/lib/cli.js policies --out deploy/policies\``,
    );
  }
  const rendered = parseAllDocuments(execFileSync('kubectl', ['kustomize', deployPolicies], { encoding: 'utf8' })).map(
    (d) => d.toJS() as Manifest,
  );
  t.equal(
    ofKind(rendered, 'ValidatingAdmissionPolicy').length,
    ofKind(rendered, 'ValidatingAdmissionPolicyBinding').length,
  );
  t.ok(ofKind(rendered, 'ValidatingAdmissionPolicy').length >= 12);
});
