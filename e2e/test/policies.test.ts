// The rules as ValidatingAdmissionPolicies, judged by the real API server with eci-admission's
// webhooks removed: every generated policy compiles, and the objects of the rule and annotation
// tables get the verdict `check` gives them (as far as the policies cover: what they do not is
// the list `policies` prints). Policies take effect asynchronously, so each phase waits until a
// probe gets the expected answer before comparing.
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject, V1Pod } from '@kubernetes/client-node';
import jsonpatch from 'fast-json-patch';
import t from 'tap';
import { parse, parseAllDocuments } from 'yaml';
import { carriers, families } from '../../test/helpers/annotation-cases.js';
import { run } from '../../test/helpers/cli.js';
import { cleanCases, container, ruleCases, warningCases } from '../../test/helpers/rule-cases.js';
import { kubectlCreate, pod } from '../../test/helpers/objects.js';
import { formatFinding, type Finding } from '../../lib/policy/findings.js';
import {
  kubectl,
  kubectlObjects,
  kubectlOk,
  namespace,
  savedWebhookConfigurations,
  webhookConfigurations,
} from '../helpers.js';
import { e2eModuleDir, repoRoot } from '../paths.js';

const ns = 'e2e-policies';
const netRaw = pod({ containers: [{ ...container, securityContext: { capabilities: { add: ['NET_RAW'] } } }] });
const deployPolicies = join(repoRoot, 'deploy', 'policies');
const routingPolicy = 'eci-admission-routing';

interface Case {
  readonly what: string;
  readonly object: KubernetesObject;
}

/** Every table object, renamed `c<n>` into the test namespace (kube-system's stay where they are). */
const cases: readonly Case[] = [
  ...ruleCases.map(([rule, object]) => ({ what: `rule ${rule}`, object })),
  ...cleanCases.map((object) => ({ what: 'clean', object })),
  ...warningCases.map(([rule, object]) => ({ what: `warnings ${rule}`, object })),
  { what: 'NET_RAW', object: netRaw },
  {
    what: "the README's agent.yaml",
    object: parse(readFileSync(join(e2eModuleDir, 'fixtures', 'agent.yaml'), 'utf8')) as KubernetesObject,
  },
  ...regressionSuite(),
  ...families.flatMap((family) =>
    carriers.flatMap(([kind, , make]) => [
      ...family.accepted.map((metadata) => ({ what: `${family.name}: accepted on a ${kind}`, object: make(metadata) })),
      ...[...family.denied, ...family.warned].map(([metadata, field]) => ({
        what: `${family.name}: ${field} on a ${kind}`,
        object: make(metadata),
      })),
    ]),
  ),
].map(({ what, object }, index) => {
  const metadata = object.metadata ?? {};
  if (metadata.namespace === 'kube-system') return { what, object };
  return {
    what,
    object: { ...object, metadata: { ...metadata, name: `c${index}`, namespace: ns } } as KubernetesObject,
  };
});

/** The realistic manifests of test/fixtures/workloads (the regression suite of `check`). */
function regressionSuite(): Case[] {
  const dir = join(repoRoot, 'test', 'fixtures', 'workloads');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), 'utf8'))
        .map((document) => document.toJS() as KubernetesObject)
        .map((object) => ({ what: `${file}: ${object.kind}/${object.metadata?.name}`, object })),
    );
}

interface CheckedObject {
  readonly name: string;
  readonly findings: ReadonlyArray<Finding & { severity: string }>;
}

/** What `policies` says it leaves out: whole rules, and `<rule> <field>` parts of rules. */
async function uncovered(
  args: readonly string[] = [],
): Promise<{ rules: Set<string>; fields: Array<[string, string]> }> {
  const { stdout } = await run(['policies', ...args]);
  const lines = [...stdout.matchAll(/^# - (\S+?)(?: (\S+))?: /gm)];
  return {
    rules: new Set(lines.filter((line) => line[2] === undefined).map((line) => line[1]!)),
    fields: lines.filter((line) => line[2] !== undefined).map((line) => [line[1]!, line[2]!]),
  };
}

/** Per object name, `check`'s findings that the policies cover. */
type Findings = CheckedObject['findings'];

async function coveredFindings(
  objects: readonly KubernetesObject[],
  checkArgs: readonly string[] = [],
): Promise<Map<string, Findings>> {
  const out = await uncovered();
  const covered = (finding: Findings[number]) =>
    !out.rules.has(finding.rule) &&
    !out.fields.some(([rule, field]) => rule === finding.rule && finding.path.includes(`metadata.${field}`));
  const checked = await run(['check', '-f', '-', '--output', 'json', ...checkArgs], {
    stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
  });
  const report = JSON.parse(checked.stdout) as { objects: CheckedObject[] };
  return new Map(report.objects.map((o) => [o.name, o.findings.filter(covered)]));
}

/** Per object name: denied (by a finding the policies cover) or admitted, as `check` sees it. */
async function expectedVerdicts(
  objects: readonly KubernetesObject[],
  checkArgs: readonly string[] = [],
): Promise<Map<string, string>> {
  const verdict = (found: Findings) => (found.some((f) => f.severity === 'deny') ? 'denied' : 'admitted');
  return new Map([...(await coveredFindings(objects, checkArgs))].map(([name, found]) => [name, verdict(found)]));
}

const warningLine =
  /^Warning: Validation failed for ValidatingAdmissionPolicy 'eci-admission-warnings' with binding 'eci-admission-warnings': (.*)$/gm;

/**
 * What the warnings policy said and `check`'s warnings do not, and the reverse. The policy says
 * one line per check, its findings joined by '; ': each of check's must be in one, and nothing
 * else may be.
 */
function warningDifferences(said: string, expected: Findings): string[] {
  let rest = [...said.matchAll(warningLine)].map(([, message]) => message!).join('; ');
  const missing = expected
    .filter((f) => f.severity === 'warn')
    .map(formatFinding)
    .filter((finding) => {
      if (!rest.includes(finding)) return true;
      rest = rest.replace(finding, '');
      return false;
    });
  const extra = rest.replace(/(; )+/g, ' ').trim();
  return [...missing.map((finding) => `not said: ${finding}`), ...(extra ? [`said besides: ${extra}`] : [])];
}

/** The pod's spec in a Deployment's and a CronJob's pod template, where the policies find it by kind. */
function inWorkloads(object: KubernetesObject): KubernetesObject[] {
  const spec = (object as V1Pod).spec!;
  type Node = Record<string, unknown>;
  const withSpec = (workload: KubernetesObject, template: readonly string[], podSpec: object) => {
    const copy = structuredClone(workload) as unknown as Node;
    template.reduce((node, field) => node[field] as Node, copy).spec = podSpec;
    return copy as unknown as KubernetesObject;
  };
  const cronJob = kubectlCreate('cronjob', 'nightly', '--image=busybox', '--schedule=0 3 * * *');
  return [
    withSpec(kubectlCreate('deployment', 'web', '--image=nginx'), ['spec', 'template'], spec),
    withSpec(cronJob, ['spec', 'jobTemplate', 'spec', 'template'], { ...spec, restartPolicy: 'Never' }),
  ];
}

/** Per object name: what the API server answered a server-side dry run (one kubectl call). */
async function serverVerdicts(
  objects: readonly KubernetesObject[],
): Promise<{ verdicts: Map<string, string>; stderr: string }> {
  const result = await kubectlObjects(['apply', '--dry-run=server'], ...objects);
  const verdicts = new Map<string, string>();
  for (const [, name] of result.stdout.matchAll(/^\S+\/(\S+) (?:created|configured|unchanged) \(server dry run\)$/gm))
    verdicts.set(name!, 'admitted');
  for (const [, name] of result.stderr.matchAll(/"([^"]+)" is forbidden: ValidatingAdmissionPolicy '/g))
    verdicts.set(name!, 'denied');
  return { verdicts, stderr: result.stderr };
}

/** The objects where the API server and `check` disagree, said so a reader can act. */
async function differences(subjects: readonly Case[], checkArgs: readonly string[] = []): Promise<string[]> {
  const objects = subjects.map((c) => c.object);
  const expected = await expectedVerdicts(objects, checkArgs);
  const { verdicts, stderr } = await serverVerdicts(objects);
  return subjects.flatMap(({ what, object }) => {
    const name = object.metadata!.name!;
    const server =
      verdicts.get(name) ??
      `refused otherwise (${stderr.split('\n').find((line) => line.includes(`"${name}"`)) ?? 'no answer'})`;
    return server === expected.get(name)
      ? []
      : [`${object.kind}/${name} (${what}): check says ${expected.get(name)}, the API server ${server}`];
  });
}

/** Polls until `done` holds; throws what it saw last after 60 s. */
async function until(what: string, done: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last: string | undefined;
  while (Date.now() < deadline) {
    last = await done();
    if (last === undefined) return;
    await sleep(250);
  }
  throw new Error(`${what}: ${last}`);
}

/** One object per policy: each must be refused (enforce) or warned about, as `check` says. */
const probes = cases.filter(({ what }) => what.startsWith('rule ') || what === 'NET_RAW');

async function untilPoliciesServe(): Promise<void> {
  await until('the policies did not all take effect', async () => {
    const left = await differences(probes);
    return left.length === 0 ? undefined : left.join('\n');
  });
}

async function applyPolicies(args: readonly string[]): Promise<void> {
  const out = join(mkdtempSync(join(tmpdir(), 'e2e-policies-')), 'policies');
  const written = await run(['policies', ...args, '--out', out]);
  if (written.code !== 0) throw new Error(written.stderr);
  await kubectlOk(['apply', '-k', out]);
}

const hostNetworkProbe = (name: string) =>
  ({ ...pod({ hostNetwork: true }), metadata: { name, namespace: ns } }) as KubernetesObject;

/** A pod the routing sends to a virtual node: labelled, in the test namespace. */
const routingProbe = () =>
  ({
    ...pod({}),
    metadata: { name: 'routing-probe', namespace: ns, labels: { 'alibabacloud.com/eci': 'true' } },
  }) as KubernetesObject;

/** What routing decides about a pod: its nodeSelector and the tolerations it did not get by default. */
interface Routed {
  readonly nodeSelector?: Record<string, string>;
  readonly tolerations: readonly unknown[];
}

function routingOf(object: KubernetesObject): Routed {
  const spec = (object as V1Pod).spec ?? { containers: [] };
  // DefaultTolerationSeconds adds the not-ready and unreachable tolerations to every pod.
  return {
    nodeSelector: spec.nodeSelector,
    tolerations: (spec.tolerations ?? []).filter((t) => !t.key?.startsWith('node.kubernetes.io/')),
  };
}

/** The pod as the API server would store it (a server-side dry run). */
async function routedBy(object: KubernetesObject): Promise<Routed> {
  return routingOf(
    JSON.parse(
      await kubectlOk(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: JSON.stringify(object) }),
    ) as KubernetesObject,
  );
}

t.before(async () => void (await namespace(ns)));

t.test('the API server accepts every generated policy, in every mode and cluster mode', async (t) => {
  for (const mode of ['enforce', 'warn', 'audit']) {
    for (const clusterMode of ['serverless', 'hybrid']) {
      // With the routing policy too, in each virtual-node flavour (the cluster enables its beta API).
      const routing = clusterMode === 'serverless' ? 'ack-virtual-node' : 'eci-vnode';
      const generated = await run([
        'policies',
        '--mode',
        mode,
        '--cluster-mode',
        clusterMode,
        '--mutating',
        '--routing',
        routing,
      ]);
      const documents = generated.stdout.split(/^---$/m).length;
      const applied = await kubectl(['apply', '--dry-run=server', '-f', '-'], { input: generated.stdout });
      t.equal(applied.code, 0, `${mode}, ${clusterMode}: ${applied.stderr}`);
      t.equal(
        applied.stdout.match(/created \(server dry run\)/g)?.length,
        documents,
        `${mode}, ${clusterMode}: ${documents} policies and bindings accepted`,
      );
    }
  }
});

t.test('with the webhooks removed and deploy/policies applied', async (t) => {
  const saved = await savedWebhookConfigurations();
  t.teardown(async () => {
    // Back to the install the other tests expect: no policies, the webhooks answering.
    await kubectlOk(['delete', '-k', deployPolicies, '--ignore-not-found']);
    await kubectlOk([
      'delete',
      'mutatingadmissionpolicy,mutatingadmissionpolicybinding',
      routingPolicy,
      '--ignore-not-found',
    ]);
    await until('the policies did not go away', async () =>
      (await kubectlObjects(['apply', '--dry-run=server'], hostNetworkProbe('gone'))).code === 0
        ? undefined
        : 'still refused',
    );
    await until('the routing policy did not go away', async () =>
      (await routedBy(routingProbe())).nodeSelector === undefined ? undefined : 'still routed',
    );
    for (const configuration of saved) await kubectlOk(['create', '-f', '-'], { input: configuration });
    await until('the webhook did not come back', async () =>
      (await kubectlObjects(['apply', '--dry-run=server'], hostNetworkProbe('back'))).stderr.includes(
        'admission webhook',
      )
        ? undefined
        : 'not refused by the webhook',
    );
  });
  for (const kind of webhookConfigurations) await kubectlOk(['delete', kind, 'eci-admission']);
  await kubectlOk(['apply', '-k', deployPolicies]);
  await untilPoliciesServe();

  t.test('every table object gets the verdict check gives', async (t) => {
    const found = await differences(cases);
    t.same(found, [], `objects where the policies and check differ (of ${cases.length})`);
    const expected = await expectedVerdicts(cases.map((c) => c.object));
    const denied = [...expected.values()].filter((verdict) => verdict === 'denied').length;
    const checked = await run(['check', '-f', '-'], {
      stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: cases.map((c) => c.object) }),
    });
    const deniedByCheck = /(\d+) denied/.exec(checked.stdout)?.[1];
    t.comment(
      `${cases.length} objects compared: ${denied} denied, ${cases.length - denied} admitted; check denies ${deniedByCheck}, the rest only for what the policies do not cover`,
    );
    t.ok(denied >= 30, 'the tables deny enough for the comparison to mean something');
  });

  t.test('the warnings policy says what check warns, in Pods, workloads and ephemeral containers', async (t) => {
    const out = await uncovered();
    const objects = [...warningCases.filter(([rule]) => !out.rules.has(rule)).map(([, object]) => object), netRaw];
    const subjects = [...objects, ...objects.filter((object) => object.kind === 'Pod').flatMap(inWorkloads)].map(
      (object, index) =>
        ({ ...object, metadata: { ...object.metadata, name: `w${index}`, namespace: ns } }) as KubernetesObject,
    );
    // An ephemeral container can only be added to a pod that exists, through its subresource.
    await kubectlOk(['run', 'w-debugged', '-n', ns, '--image=nginx']);
    t.teardown(() => kubectlOk(['delete', 'pod', 'w-debugged', '-n', ns, '--wait=false']));
    const hostIp = { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } };
    const debug = { name: 'debug', image: 'busybox', securityContext: { readOnlyRootFilesystem: true }, env: [hostIp] };
    const debugged = {
      ...pod({ containers: [{ name: 'w-debugged', image: 'nginx' }], ephemeralContainers: [debug] }),
      metadata: { name: 'w-debugged', namespace: ns },
    } as KubernetesObject;
    const expected = await coveredFindings([...subjects, debugged]);
    const warned = [...expected.values()].flat().filter((f) => f.severity === 'warn').length;
    t.ok(warned >= 20, `${warned} warnings: enough for the comparison to mean something`);
    const addDebug = [
      '--subresource=ephemeralcontainers',
      '--type=strategic',
      '-p',
      JSON.stringify({ spec: { ephemeralContainers: [debug] } }),
    ];
    const said = (object: KubernetesObject) =>
      object === debugged
        ? kubectl(['patch', 'pod', 'w-debugged', '-n', ns, '--dry-run=server', ...addDebug])
        : kubectlObjects(['apply', '--dry-run=server'], object);
    const problems = async () => {
      const found: string[] = [];
      for (const object of [...subjects, debugged]) {
        const name = object.metadata!.name!;
        const result = await said(object);
        const wrong =
          result.code === 0
            ? warningDifferences(result.stderr, expected.get(name) ?? [])
            : [`exit ${result.code}: ${result.stderr.trim()}`];
        found.push(...wrong.map((line) => `${object.kind}/${name}: ${line}`));
      }
      return found;
    };
    await until('the warnings policy differs from check', async () => {
      const found = await problems();
      return found.length === 0 ? undefined : found.join('\n');
    });
    t.same(await problems(), [], `each of the ${subjects.length + 1} objects is warned about as check warns`);
  });

  t.test('hybrid policies judge only what is ECI-bound, as check --cluster-mode hybrid does', async (t) => {
    const eciNamespace = await namespace(`${ns}-eci`, { 'alibabacloud.com/eci': 'true' });
    await applyPolicies(['--cluster-mode', 'hybrid']);
    const moved = (object: KubernetesObject, namespace: string, name: string) =>
      ({ ...object, metadata: { ...object.metadata, name, namespace } }) as KubernetesObject;
    const subjects: Case[] = [
      { what: 'hostNetwork on a real node', object: hostNetworkProbe('h1') },
      { what: 'hostNetwork in an ECI namespace', object: moved(hostNetworkProbe('h2'), eciNamespace, 'h2') },
      {
        what: 'hostNetwork with the pod label',
        object: {
          ...pod({ hostNetwork: true }, { 'alibabacloud.com/eci': 'true' }),
          metadata: { name: 'h3', namespace: ns, labels: { 'alibabacloud.com/eci': 'true' } },
        } as KubernetesObject,
      },
      {
        what: 'hostNetwork with the virtual-node nodeSelector',
        object: moved(pod({ hostNetwork: true, nodeSelector: { type: 'virtual-kubelet' } }), ns, 'h4'),
      },
      {
        what: 'hostNetwork on a virtual node by name',
        object: moved(pod({ hostNetwork: true, nodeName: 'virtual-kubelet-cn-hangzhou-k' }), ns, 'h5'),
      },
      {
        what: 'a NodePort Service in an ECI namespace',
        object: moved(ruleCases.find(([rule]) => rule === 'node-port')![1], eciNamespace, 'h6'),
      },
      {
        what: 'a NodePort Service elsewhere',
        object: moved(ruleCases.find(([rule]) => rule === 'node-port')![1], ns, 'h7'),
      },
    ];
    const checkArgs = ['--cluster-mode', 'hybrid', '--namespace-labels', `${eciNamespace}=alibabacloud.com/eci=true`];
    await until('the hybrid policies did not take effect', async () =>
      (await kubectlObjects(['apply', '--dry-run=server'], hostNetworkProbe('h0'))).code === 0
        ? undefined
        : 'still refused',
    );
    await until('the hybrid policies differ from check', async () => {
      const found = await differences(subjects, checkArgs);
      return found.length === 0 ? undefined : found.join('\n');
    });
    t.same(await differences(subjects, checkArgs), [], 'no object differs');
    const expected = await expectedVerdicts(
      subjects.map((s) => s.object),
      checkArgs,
    );
    t.same([...expected.values()].filter((v) => v === 'denied').length, 5, 'five of seven are ECI-bound and denied');
  });

  t.test('--mode warn lets the same objects through with Warning: lines naming the field', async (t) => {
    await applyPolicies(['--mode', 'warn']);
    const out = await uncovered();
    const warned = ruleCases.filter(([rule]) => !out.rules.has(rule));
    const problems = async () => {
      const found: string[] = [];
      for (const [rule, object, path] of warned) {
        const result = await kubectlObjects(['apply', '--dry-run=server'], {
          ...object,
          metadata: { ...object.metadata, name: `w-${rule}`, namespace: ns },
        } as KubernetesObject);
        const line = new RegExp(
          `^Warning: .*'eci-admission-${rule}'.*: ${rule}: ${path.replace(/[[\].]/g, '\\$&')}(?: \\(|:)`,
          'm',
        );
        if (result.code !== 0 || !line.test(result.stderr))
          found.push(
            `${rule}: exit ${result.code}, no Warning: line naming ${path} in ${JSON.stringify(result.stderr)}`,
          );
      }
      return found;
    };
    await until('the warn policies did not take effect', async () => {
      const found = await problems();
      return found.length === 0 ? undefined : found.join('\n');
    });
    t.same(
      await problems(),
      [],
      `each of the ${warned.length} rule objects is admitted with a Warning: naming its field`,
    );
  });
  t.test('--mutating: routing as a MutatingAdmissionPolicy gives pods what /mutate gives them', async (t) => {
    const eciNamespace = await namespace(`${ns}-routed`, { 'alibabacloud.com/eci': 'true' });
    const legacyNamespace = await namespace(`${ns}-legacy`, { 'virtual-node-affinity-injection': 'enabled' });
    const out = join(mkdtempSync(join(tmpdir(), 'e2e-routing-')), 'policies');
    const written = await run(['policies', '--mutating', '--out', out]);
    t.equal(written.code, 0, written.stderr);
    await kubectlOk(['apply', '-f', join(out, `${routingPolicy}.yaml`)]);
    const at = (name: string, namespace: string, labels: Record<string, string>, spec: Partial<V1Pod['spec']> = {}) =>
      ({ ...pod(spec ?? {}), metadata: { name, namespace, labels } }) as KubernetesObject;
    const provider = 'virtual-kubelet.io/provider';
    const pods = [
      at('m1', eciNamespace, {}),
      at('m2', ns, { 'alibabacloud.com/eci': 'true' }),
      at('m3', ns, { 'alibabacloud.com/acs': 'true' }),
      at('m4', ns, { eci: 'true' }),
      at('m5', legacyNamespace, {}),
      at('m6', eciNamespace, {}, { nodeSelector: { type: 'other' }, tolerations: [{ operator: 'Exists' }] }),
      at(
        'm7',
        eciNamespace,
        {},
        { nodeSelector: { disk: 'ssd' }, tolerations: [{ key: provider, operator: 'Exists' }] },
      ),
      at('m8', eciNamespace, {}, { tolerations: [{ key: provider, operator: 'Exists', effect: 'NoExecute' }] }),
      at('m9', ns, {}),
    ];
    const checked = await run(
      [
        'check',
        '-f',
        '-',
        '--output',
        'json',
        '--namespace-labels',
        `${eciNamespace}=alibabacloud.com/eci=true`,
        '--namespace-labels',
        `${legacyNamespace}=virtual-node-affinity-injection=enabled`,
      ],
      {
        stdin: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: pods }),
      },
    );
    const patches = (JSON.parse(checked.stdout) as { objects: Array<{ patch: jsonpatch.Operation[] }> }).objects.map(
      (o) => o.patch,
    );
    const expected = pods.map((object, index) =>
      routingOf(jsonpatch.applyPatch(structuredClone(object), patches[index]!).newDocument),
    );
    const differing = async () => {
      const found: string[] = [];
      for (const [index, object] of pods.entries()) {
        const stored = await routedBy(object);
        if (!isDeepStrictEqual(stored, expected[index]))
          found.push(
            `${object.metadata!.name}: /mutate gives ${JSON.stringify(expected[index])}, the policy ${JSON.stringify(stored)}`,
          );
      }
      return found;
    };
    await until('the routing policy differs from /mutate', async () => {
      const found = await differing();
      return found.length === 0 ? undefined : found.join('\n');
    });
    t.same(await differing(), [], `each of the ${pods.length} pods is routed as /mutate routes it`);
    t.equal(
      expected.filter((routed) => routed.nodeSelector?.type === 'virtual-kubelet').length,
      7,
      'seven get the virtual-node nodeSelector, one keeps its own, one is not routed',
    );
  });
});
