// eci-profile parsing and LabelSelector semantics.
import t from 'tap';
import { compileLabelSelector } from '../lib/profile/label-selector.js';
import { policyContext } from '../lib/policy/context.js';
import { parseProfile } from '../lib/profile/profile.js';

const { schemas } = policyContext();

const selectors = (value: unknown) => ({ selectors: JSON.stringify(value) });

t.test('label selectors follow Kubernetes semantics', async (t) => {
  const labels = { team: 'batch', tier: 'spot' };
  const cases: ReadonlyArray<readonly [object | undefined, boolean]> = [
    [undefined, true],
    [{}, true],
    [{ matchLabels: { team: 'batch' } }, true],
    [{ matchLabels: { team: 'web' } }, false],
    [{ matchExpressions: [{ key: 'tier', operator: 'In', values: ['spot', 'preemptible'] }] }, true],
    [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['spot'] }] }, false],
    [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }, true],
    [{ matchExpressions: [{ key: 'team', operator: 'Exists' }] }, true],
    [{ matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] }, false],
    [{ matchLabels: { team: 'batch' }, matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, false],
  ];
  for (const [selector, expected] of cases)
    t.equal(compileLabelSelector(selector)(labels), expected, JSON.stringify(selector));
  t.equal(
    compileLabelSelector({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] })(undefined),
    true,
    'no labels at all',
  );
});

t.test('a good profile compiles its selectors in order', async (t) => {
  const parsed = parseProfile(
    {
      vpcId: 'vpc-2ze0a1',
      securityGroupId: 'sg-2ze0b2',
      vSwitchIds: 'vsw-2ze0c3,vsw-2ze0c4',
      enableClusterIp: 'true',
      featureGates: 'WaitForFirstConsumer=false',
      ...selectors([
        {
          name: 'batch-spot',
          namespaceSelector: { matchLabels: { team: 'batch' } },
          effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'SpotAsPriceGo' } },
        },
        {
          name: 'tagged',
          objectSelector: { matchExpressions: [{ key: 'app', operator: 'Exists' }] },
          effect: { labels: { 'eci-selector': 'tagged' } },
        },
      ]),
    },
    'test',
    schemas,
  );
  t.same(parsed.problems, []);
  t.same(
    parsed.profile?.selectors.map((s) => [s.name, s.constrained]),
    [
      ['batch-spot', true],
      ['tagged', true],
    ],
  );
  t.equal(parsed.profile?.source, 'test');
});

t.test('empty selectors, as newer clusters ship them, are no selectors', async (t) => {
  t.same(parseProfile({ selectors: '' }, 'x', schemas).profile?.selectors, []);
  t.same(parseProfile({}, 'x', schemas).profile?.selectors, []);
});

t.test('a bad profile is refused with the path of every problem', async (t) => {
  const refusals: ReadonlyArray<readonly [string, Record<string, unknown>, string, RegExp]> = [
    ['malformed JSON', { selectors: '[{"name": "a",' }, 'data.selectors', /is not valid JSON/],
    ['not a list', selectors({ name: 'a' }), 'data.selectors', /is not an array/],
    ['missing name', selectors([{ effect: {} }]), 'data.selectors[0]', /name is required/],
    ['empty name', selectors([{ name: '' }]), 'data.selectors[0].name', /must not be empty/],
    [
      'duplicate name',
      selectors([{ name: 'a' }, { name: 'b' }, { name: 'a' }]),
      'data.selectors[2].name',
      /"a" is already the name of selectors\[0\]/,
    ],
    [
      'bad operator',
      selectors([
        { name: 'a', objectSelector: { matchExpressions: [{ key: 'k', operator: 'Equals', values: ['v'] }] } },
      ]),
      'data.selectors[0].objectSelector.matchExpressions[0].operator',
      /"Equals" is not one of In, NotIn, Exists, DoesNotExist/,
    ],
    [
      'In without values',
      selectors([{ name: 'a', namespaceSelector: { matchExpressions: [{ key: 'k', operator: 'In' }] } }]),
      'data.selectors[0].namespaceSelector.matchExpressions[0]',
      /values is required/,
    ],
    [
      'Exists with values',
      selectors([
        { name: 'a', namespaceSelector: { matchExpressions: [{ key: 'k', operator: 'Exists', values: ['v'] }] } },
      ]),
      'data.selectors[0].namespaceSelector.matchExpressions[0].values',
      /must be empty/,
    ],
    [
      'effect value not a string',
      selectors([{ name: 'a', effect: { annotations: { 'k8s.aliyun.com/eci-use-specs': 2 } } }]),
      'data.selectors[0].effect.annotations["k8s.aliyun.com/eci-use-specs"]',
      /2 is not a string/,
    ],
    ['bad vpcId', { vpcId: 'default' }, 'data.vpcId', /"default" is not a VPC ID \(vpc-\.\.\.\)/],
    ['bad boolean', { enablePrivateZone: 'yes' }, 'data.enablePrivateZone', /"yes" is not one of true, false/],
    ['bad vSwitch list', { vSwitchIds: 'vsw-a,subnet-b' }, 'data.vSwitchIds', /is not a comma list of vSwitch IDs/],
    [
      'bad effect annotation',
      selectors([
        { name: 'a', objectSelector: {} },
        { name: 'b', objectSelector: {}, effect: { annotations: { 'k8s.aliyun.com/eci-spot-strategy': 'Cheapest' } } },
      ]),
      'data.selectors[1].effect.annotations["k8s.aliyun.com/eci-spot-strategy"]',
      /"Cheapest" is not one of SpotAsPriceGo, SpotWithPriceLimit/,
    ],
  ];
  for (const [name, data, path, message] of refusals) {
    const parsed = parseProfile(data, 'x', schemas);
    t.equal(parsed.profile, undefined, `${name} refused`);
    const denial = parsed.problems.find((p) => p.severity === 'deny');
    t.equal(denial?.path, path, name);
    t.match(denial?.message, message, name);
  }
});

t.test('unknown keys, CRD-only fields and unconstrained selectors are warnings', async (t) => {
  const parsed = parseProfile(
    {
      vswitchId: 'vsw-1',
      ...selectors([
        { name: 'crd', priority: 10, objectLabels: { a: 'b' }, colour: 'red', namespaceSelector: {} },
        { name: 'all', effect: {} },
      ]),
    },
    'x',
    schemas,
  );
  t.ok(parsed.profile, 'still a usable profile');
  t.same(
    parsed.problems.map((p) => [p.severity, p.path]),
    [
      ['warn', 'data.vswitchId'],
      ['warn', 'data.selectors[0].priority'],
      ['warn', 'data.selectors[0].objectLabels'],
      ['warn', 'data.selectors[0].colour'],
      ['warn', 'data.selectors[1]'],
    ],
  );
  t.match(parsed.problems[1]?.message, /Selector CRD \(eci\.aliyun\.com\/v1\).*ignored/);
  t.match(parsed.problems[4]?.message, /applies to every ECI pod/);
});
