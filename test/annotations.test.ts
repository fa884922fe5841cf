// ECI annotations, ACS labels and ResourcePolicy, judged from the schema files: through decide()
// and through POST /validate over TLS, on a Pod, a Deployment and a CronJob.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { compilePolicySchemas } from '../lib/policy/annotations.js';
import { policyContext, type PolicyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { formatFinding, warningOf } from '../lib/policy/findings.js';
import { schemasDir } from '../lib/json-schema/files.js';
import { annotation, carriers, families, withMetadata, type Judged } from './helpers/annotation-cases.js';
import { kubectlCreate, pod, requestFor, resourcePolicy, reviewFor } from './helpers/objects.js';
import { responseOf, startServer } from './helpers/server.js';

interface Verdict {
  readonly allowed: boolean;
  /** Formatted findings, as kubectl shows them. */
  readonly denials: readonly string[];
  readonly warnings: readonly string[];
}
type Judge = (object: KubernetesObject) => Promise<Verdict>;

const context = policyContext();

function decideWith(context: PolicyContext): Judge {
  return async (object) => {
    const decision = decide(requestFor(object), context);
    return {
      allowed: decision.allowed,
      denials: decision.findings.map(formatFinding),
      warnings: decision.warnings.map(formatFinding),
    };
  };
}

async function overTls(t: Test): Promise<Judge> {
  const server = await startServer(t);
  return async (object) => {
    const response = responseOf(await server.post('/validate', reviewFor(object)));
    const denials = (response.status?.message ?? '')
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^- /, ''));
    // The server sends each warning cut to 120 characters: map it back to the core's finding, so
    // this proves the server sent exactly those, and the content is checked in full.
    const full = decide(requestFor(object), context).warnings;
    const warnings = (response.warnings ?? []).map((warning) => {
      const finding = full.find((candidate) => warningOf(candidate) === warning);
      return finding ? formatFinding(finding) : warning;
    });
    return { allowed: response.allowed, denials, warnings };
  };
}

/** Every family on every carrier: accepted values say nothing, the others name path, key and value. */
async function judgeFamilies(t: Test, judge: Judge): Promise<void> {
  for (const family of families) {
    for (const [kind, metadataPath, make] of carriers) {
      const expect = async ([metadata, field, message]: Judged, denied: boolean) => {
        const verdict = await judge(make(metadata));
        const lines = denied ? verdict.denials : verdict.warnings;
        const start = `${family.rule}: ${metadataPath}.${field}: `;
        const line = lines.find((candidate) => candidate.startsWith(start));
        t.equal(
          verdict.allowed,
          !denied,
          `${family.name}, ${kind}: ${JSON.stringify(metadata)} ${denied ? 'denied' : 'allowed'}`,
        );
        t.match(line, message, `${kind}: ${start}... in ${JSON.stringify(lines)}`);
      };
      for (const metadata of family.accepted) {
        t.same(
          await judge(make(metadata)),
          { allowed: true, denials: [], warnings: [] },
          `${family.name}, ${kind}: ${JSON.stringify(metadata)} accepted`,
        );
      }
      for (const judged of family.denied) await expect(judged, true);
      for (const judged of family.warned) await expect(judged, false);
    }
  }
}

t.test('every annotation family through decide()', async (t) => {
  await judgeFamilies(t, decideWith(context));
});

t.test('every annotation family through POST /validate over TLS', async (t) => {
  await judgeFamilies(t, await overTls(t));
});

t.test('the examples of the issue', async (t) => {
  const judge = decideWith(context);
  const spot = await judge(pod({}, {}, { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' }));
  t.equal(spot.allowed, false);
  t.match(spot.denials, [/k8s\.aliyun\.com\/eci-spot-strategy.*Cheapest.*SpotAsPriceGo.*SpotWithPriceLimit/]);
  const isp = await judge(pod({}, {}, { 'k8s.aliyun.com/eip-isp': 'BGP_PRO', 'k8s.aliyun.com/eci-with-eip': 'true' }));
  t.same(isp, { allowed: true, denials: [], warnings: [] }, 'BGP_PRO with an EIP created');
  t.equal(
    (await judge(pod({}, {}, { 'k8s.aliyun.com/eci-security-group': 'default' }))).allowed,
    false,
    'security group "default"',
  );
  const unrelated = { 'example.com/owner': 'Cheapest', 'k8s.aliyun.com/not-an-eci-key': 'x' };
  t.same(
    await judge(pod({}, {}, unrelated)),
    { allowed: true, denials: [], warnings: [] },
    'annotations outside the ECI set',
  );
});

t.test("a workload's own annotations are not the pod's: their values are not judged, their place is", async (t) => {
  const deployment = withMetadata(kubectlCreate('deployment', 'web', '--image=nginx'), [], {
    annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' },
  });
  const { allowed, findings, warnings, patch } = decide(requestFor(deployment), context);
  t.same({ allowed, findings, patch }, { allowed: true, findings: [], patch: [] });
  t.same(
    warnings.map((w) => [w.rule, w.path]),
    [['annotation-placement', 'metadata.annotations["k8s.aliyun.com/eci-spot-strategy"]']],
    'only that it is in the wrong place',
  );
});

t.test('malformed metadata never throws', async (t) => {
  const odd: ReadonlyArray<Record<string, unknown>> = [
    { annotations: 'k8s.aliyun.com/eci-with-eip=true' },
    { annotations: ['k8s.aliyun.com/eci-with-eip'] },
    { annotations: null, labels: 7 },
    { annotations: { 'k8s.aliyun.com/eci-with-eip': true, 'k8s.aliyun.com/eci-custom-hosts': { host: 'a' } } },
  ];
  for (const metadata of odd) {
    const object = { ...pod({}), metadata: { name: 'p', ...metadata } } as KubernetesObject;
    const decision = decide(requestFor(object), context);
    t.ok(decision, JSON.stringify(metadata));
  }
  const typed = decide(
    requestFor({ ...pod({}), metadata: { name: 'p', annotations: odd[3]!.annotations } } as KubernetesObject),
    context,
  );
  t.same(typed.findings.map((finding) => `${finding.path}: ${finding.message}`).sort(), [
    'metadata.annotations["k8s.aliyun.com/eci-custom-hosts"]: {"host":"a"} is not a string',
    'metadata.annotations["k8s.aliyun.com/eci-with-eip"]: true is not a string',
  ]);
});

t.test('a ResourcePolicy is checked field by field', async (t) => {
  const judge = decideWith(context);
  const good = resourcePolicy({
    selector: { app: 'web' },
    strategy: 'prefer',
    units: [{ resource: 'ecs', nodeSelector: { unit: 'first' }, max: 3 }, { resource: 'eci' }],
  });
  t.same(await judge(good), { allowed: true, denials: [], warnings: [] });
  // ACS's documented example: best-effort compute first, then default.
  const acs = resourcePolicy({
    selector: { app: 'stress' },
    units: ['best-effort', 'default'].map((qos) => ({
      resource: 'acs',
      podLabels: { 'alibabacloud.com/compute-class': 'general-purpose', 'alibabacloud.com/compute-qos': qos },
    })),
  });
  t.same(await judge(acs), { allowed: true, denials: [], warnings: [] }, 'acs units are admitted');
  const cases: ReadonlyArray<readonly [Record<string, unknown>, string]> = [
    [
      { strategy: 'spread', units: [{ resource: 'ecs' }] },
      'resource-policy: spec.strategy: "spread" is not one of prefer;',
    ],
    [
      { strategy: 'prefer', units: [{ resource: 'ecs' }, { resource: 'gpu' }] },
      'resource-policy: spec.units[1].resource: "gpu" is not one of idc, ecs, eci, acs;',
    ],
    [
      { units: [{ resource: 'eci', nodeSelector: { unit: 'x' } }] },
      'resource-policy: spec.units[0].nodeSelector: nodeSelector is allowed only on units with resource: ecs;',
    ],
    [{ units: [{ resource: 'eci', max: -1 }] }, 'resource-policy: spec.units[0].max: -1 must be >= 0;'],
    [{ units: [{ resource: 'eci', max: 1.5 }] }, 'resource-policy: spec.units[0].max: 1.5 is not an integer;'],
    [
      { units: [{ resource: 'acs', podLabels: { 'alibabacloud.com/compute-qos': 1 } }] },
      'resource-policy: spec.units[0].podLabels["alibabacloud.com/compute-qos"]: 1 is not a string;',
    ],
    [{ strategy: 'prefer' }, 'resource-policy: spec: units is required;'],
  ];
  for (const [spec, start] of cases) {
    const verdict = await judge(resourcePolicy(spec));
    t.equal(verdict.allowed, false, JSON.stringify(spec));
    t.ok(
      verdict.denials.some((line) => line.startsWith(start)),
      `${start} in ${JSON.stringify(verdict.denials)}`,
    );
  }
});

t.test('a ResourcePolicy is checked in hybrid mode too: it decides what overflows to ECI', async (t) => {
  const hybrid = policyContext({ clusterMode: 'hybrid' });
  const spread = requestFor(resourcePolicy({ strategy: 'spread', units: [{ resource: 'eci' }] }), {
    namespace: 'plain',
  });
  t.equal(decide(spread, hybrid).allowed, false);
  const labelledPod = requestFor(pod({}, {}, { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' }), {
    namespace: 'plain',
  });
  t.equal(decide(labelledPod, hybrid).allowed, true, 'a pod on real nodes keeps its annotations unjudged');
});

t.test('a ResourcePolicy is denied over TLS with the path of the field', async (t) => {
  const judge = await overTls(t);
  const verdict = await judge(
    resourcePolicy({ strategy: 'spread', units: [{ resource: 'ecs' }, { resource: 'gpu' }] }),
  );
  t.equal(verdict.allowed, false);
  t.match(verdict.denials, [
    /^resource-policy: spec\.strategy: "spread"/,
    /^resource-policy: spec\.units\[1\]\.resource: "gpu"/,
  ]);
});

t.test('the values live in the schema files: a changed enum changes decide() with no code change', async (t) => {
  const dir = t.testdir();
  cpSync(schemasDir, dir, { recursive: true });
  const file = join(dir, 'eci-annotations.schema.json');
  const schema = JSON.parse(readFileSync(file, 'utf8')) as { properties: Record<string, { enum: string[] }> };
  schema.properties['k8s.aliyun.com/eci-spot-strategy']!.enum = ['SpotAsPriceGo', 'Cheapest'];
  writeFileSync(file, JSON.stringify(schema));
  const changed = policyContext({ schemas: compilePolicySchemas(dir) });
  const cheapest = requestFor(pod({}, {}, { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' }));
  const withLimit = requestFor(
    pod(
      {},
      {},
      { 'k8s.aliyun.com/eci-spot-strategy': 'SpotWithPriceLimit', 'k8s.aliyun.com/eci-spot-price-limit': '1' },
    ),
  );
  t.equal(decide(cheapest, context).allowed, false, 'shipped schemas: Cheapest denied');
  t.equal(decide(cheapest, changed).allowed, true, 'changed schema: Cheapest allowed');
  t.equal(decide(withLimit, context).allowed, true, 'shipped schemas: SpotWithPriceLimit allowed');
  t.match(decide(withLimit, changed).findings, [
    {
      path: `metadata.${annotation('k8s.aliyun.com/eci-spot-strategy')}`,
      message: /not one of SpotAsPriceGo, Cheapest/,
    },
  ]);
});

t.test('a remembered annotation check answers the same, per field path, and its answers are copies', async (t) => {
  const { eciAnnotations } = compilePolicySchemas();
  const bad = { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' };
  const first = eciAnnotations(bad, 'metadata.annotations');
  t.equal(first.length, 1);
  first.pop();
  t.same(eciAnnotations({ ...bad }, 'metadata.annotations'), eciAnnotations(bad, 'metadata.annotations'));
  t.equal(eciAnnotations(bad, 'metadata.annotations').length, 1, 'unchanged by what a caller did to an answer');
  t.match(eciAnnotations(bad, 'spec.template.metadata.annotations')[0]?.path, /^spec\.template\.metadata\.annotations/);
  t.same(eciAnnotations({ 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' }, 'metadata.annotations'), []);
});
