// The rule registry, as Pod Security Admission's: ids well formed and registered once, and every
// id a finding carries among them, whichever part of the project made the finding.
import t from 'tap';
import { stringify } from 'yaml';
import type { V1Pod } from '@kubernetes/client-node';
import { policyContext } from '../lib/policy/context.js';
import { decide } from '../lib/policy/decide.js';
import { registered } from '../lib/policy/rule.js';
import { registry, rules, switchableIds } from '../lib/policy/rules/index.js';
import { documentOf } from './helpers/readme.js';
import { run } from './helpers/cli.js';
import { pod, requestFor } from './helpers/objects.js';
import { ruleCases, warningCases } from './helpers/rule-cases.js';

const ids = registry.map(({ id }) => id);

/** A pod with a value `depth` levels deep in its spec: deeper than any real object. */
function nested(base: V1Pod, depth: number): V1Pod {
  let value: Record<string, unknown> = {};
  for (let level = 0; level < depth; level++) value = { next: value };
  return { ...base, spec: { ...base.spec!, overhead: value as never } };
}

t.test('the registry refuses an id that is not lowercase words joined by hyphens, or taken', async (t) => {
  for (const id of ['Host-Path', 'host_path', 'host--path', '-host', 'host-', '', '9lives'])
    t.throws(() => registered([{ id }]), { message: `rule id ${JSON.stringify(id)} is not lowercase` }, id);
  t.throws(() => registered([{ id: 'host-path' }, { id: 'host-path' }]), {
    message: 'rule id host-path is registered twice',
  });
  t.same(registered([{ id: 'host-path' }, { id: 'eci-routing' }, { id: 'reserved-port2' }]).length, 3);
  t.same(new Set(ids).size, ids.length, 'the shipped registry has each id once');
});

t.test('every id a finding carries is registered: rules, routing, the guard and check', async (t) => {
  const legacy = pod({ nodeSelector: { type: 'ecs' } }, { eci: 'true' });
  const repeated =
    'apiVersion: v1\nkind: Pod\nmetadata: {name: twice, namespace: default}\nspec:\n' +
    '  containers: [{name: app, image: nginx}]\n  containers: [{name: app, image: nginx}]\n';
  const dir = t.testdir({
    'cases.yaml': [...ruleCases.map(([, object]) => object), ...warningCases.map(([, object]) => object), legacy]
      .map((object) => stringify(object))
      .join('---\n'),
    'repeated.yaml': repeated,
  });
  const checked = await run(['check', '-o', 'json', dir]);
  const report = JSON.parse(checked.stdout) as { objects: { findings: { rule: string }[] }[] };
  const deep = decide(requestFor(nested(pod({}), 120)), policyContext());
  const emitted = new Set([
    ...report.objects.flatMap((object) => object.findings.map((finding) => finding.rule)),
    ...deep.findings.map((finding) => finding.rule),
  ]);
  for (const id of ['eci-routing', 'manifest', 'malformed', ...ruleCases.map(([rule]) => rule)])
    t.ok(emitted.has(id), `${id} was emitted`);
  t.same(
    [...emitted].filter((id) => !ids.includes(id)),
    [],
    'no finding carries an unregistered id',
  );
  t.ok(ids.includes('eci-routing') && switchableIds.includes('eci-routing'), 'routing can be switched');
  t.notOk(switchableIds.includes('malformed'), 'the guard cannot be switched off');
});

t.test("the reference's rule table has a row for every id", async (t) => {
  const reference = documentOf('docs/reference.md');
  for (const id of ids) t.match(reference, `\n| \`${id}\` |`, id);
  t.ok(ids.length > rules.length, 'more ids than rule modules');
});
