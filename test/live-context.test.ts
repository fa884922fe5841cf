// The cluster-fed context on its own: last good profile, one log line per change.
import type { V1ConfigMap } from '@kubernetes/client-node';
import t from 'tap';
import { policyContext } from '../lib/policy/context.js';
import { defaultBackoff, retryDelay } from '../lib/cluster/backoff.js';
import { profileLocations } from '../lib/profile/locations.js';
import { LiveContext } from '../lib/server/context-source.js';

function recorder() {
  const lines: Array<[string, string]> = [];
  return {
    lines,
    log: {
      info: (_: object, m: string) => void lines.push(['info', m]),
      warn: (_: object, m: string) => void lines.push(['warn', m]),
    },
  };
}

const at = (name: string) => profileLocations.find((location) => location.name === name)!;
const eci = at('eci-profile');
const acs = at('acs-profile');

const configMap = (version: string, selectors: string, name = 'eci-profile'): V1ConfigMap => ({
  metadata: { name, namespace: 'kube-system', resourceVersion: version },
  data: { selectors },
});

t.test('a refused profile is logged once per change and the last good one stays', async (t) => {
  const { lines, log } = recorder();
  const live = new LiveContext(policyContext(), log);
  t.equal(live.ready(), false);
  live.profile(eci, configMap('1', '[{"name": "a"}]'));
  const good = live.current().profile;
  t.equal(good.source, 'cluster kube-system/eci-profile@1');
  live.profile(eci, configMap('2', '[{'));
  live.profile(eci, configMap('2', '[{'));
  live.profile(eci, configMap('2', '[{'));
  t.equal(live.current().profile, good, 'last good kept');
  t.equal(
    lines.filter(([level, message]) => level === 'warn' && message.includes('refused')).length,
    1,
    'one warning for one change',
  );
  t.match(live.health(), { profile: good.source, staleProfile: /@2 refused: data\.selectors: is not valid JSON/ });
  live.profile(eci, undefined);
  t.same(live.health(), { profile: 'embedded default' }, 'a deleted profile falls back to the default');
  live.synced();
  t.equal(live.ready(), true);
});

t.test('namespace updates swap the snapshot; old snapshots stay as they were', async (t) => {
  const live = new LiveContext(policyContext(), recorder().log);
  const before = live.current();
  live.namespaces(new Map([['burst', { 'alibabacloud.com/eci': 'true' }]]));
  t.equal(before.namespaceLabels.size, 0);
  t.equal(live.current().namespaceLabels.get('burst')?.['alibabacloud.com/eci'], 'true');
});

t.test('profile status counts profiles taken into use and those refused', async (t) => {
  const live = new LiveContext(policyContext(), recorder().log);
  t.same(live.profileStatus(), { generation: 0, loadedAt: undefined, refused: 0 }, 'waiting for the first');
  live.profile(eci, configMap('1', ''));
  live.profile(eci, configMap('2', '[{'));
  live.profile(eci, configMap('3', '[]'));
  const status = live.profileStatus();
  t.equal(status.generation, 2);
  t.equal(status.refused, 1);
  t.type(status.loadedAt, 'number');
});

t.test('with both profiles the acs-profile is used; without it, the eci-profile again', async (t) => {
  const live = new LiveContext(policyContext(), recorder().log);
  live.profile(eci, configMap('1', '[{"name": "from-eci"}]'));
  live.profile(acs, configMap('2', '[{"name": "from-acs"}]', 'acs-profile'));
  t.same(
    live.current().profile.selectors.map((s) => s.name),
    ['from-acs'],
  );
  t.equal(live.health().profile, 'cluster kube-system/acs-profile@2');
  live.profile(eci, configMap('3', '[{"name": "eci-edited"}]'));
  t.equal(live.health().profile, 'cluster kube-system/acs-profile@2', 'an eci-profile edit does not displace it');
  live.profile(acs, undefined);
  t.same(
    live.current().profile.selectors.map((s) => s.name),
    ['eci-edited'],
  );
  t.equal(live.health().profile, 'cluster kube-system/eci-profile@3');
});

t.test('a failing watch is logged when it starts failing and when it recovers, not at each retry', async (t) => {
  const { lines, log } = recorder();
  const live = new LiveContext(policyContext(), log);
  for (let i = 0; i < 5; i++) {
    live.error('eci-profile', new Error('connect ECONNREFUSED'));
    live.error('namespaces', new Error('connect ECONNREFUSED'));
  }
  t.same(
    lines,
    [
      ['warn', 'cluster watch failed; serving the last state, retrying'],
      ['warn', 'cluster watch failed; serving the last state, retrying'],
    ],
    'one warning per watch',
  );
  live.recovered('eci-profile');
  live.recovered('eci-profile');
  live.error('eci-profile', new Error('again'));
  t.same(lines.slice(2), [
    ['info', 'cluster watch recovered'],
    ['warn', 'cluster watch failed; serving the last state, retrying'],
  ]);
});

t.test('retries back off exponentially to a cap, with jitter', async (t) => {
  const backoff = { firstMs: 1000, maxMs: 60_000 };
  const ceilings = Array.from({ length: 10 }, (_, attempt) => retryDelay(attempt, backoff, () => 1));
  t.same(ceilings, [1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000, 60_000, 60_000], 'doubling, capped');
  t.same(
    [0, 3, 9].map((attempt) => retryDelay(attempt, backoff, () => 0)),
    [500, 4000, 30_000],
    'at least half',
  );
  t.equal(
    retryDelay(1_000_000, backoff, () => 0.5),
    45_000,
    'no overflow after a long outage',
  );
  t.equal(defaultBackoff.maxMs, 60_000);
});
