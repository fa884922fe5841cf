// `serve --config` with the file in a mounted ConfigMap: an update (the kubelet's `..data` swap)
// applies to the next review without a restart; a broken update keeps the last good settings,
// with a log line, a metric and /readyz saying why. The built command, real TLS on loopback.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import type { AdmissionReview } from '../lib/admission/review.js';
import { startServe } from './helpers/cli.js';
import { mountVolume, updateVolume } from './helpers/mounted-volume.js';
import { pod, reviewFor } from './helpers/objects.js';
import { eventually } from './helpers/server.js';

/** The value of one sample line of /metrics, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('a ConfigMap update applies to the next review; a broken one keeps the last good settings', async (t) => {
  const dir = t.testdir();
  const volume = join(dir, 'config');
  mkdirSync(volume);
  // The file says warn; the flag says enforce and must keep winning across reloads.
  mountVolume(volume, { 'config.yaml': 'mode: warn\nexemptNamespaces: [ci]\n' });
  const served = await startServe([
    '--cert-dir',
    join(dir, 'certs'),
    '--config',
    join(volume, 'config.yaml'),
    '--mode',
    'enforce',
  ]);
  t.teardown(() => served.stop());
  const agent = new Agent({ connect: { ca: readFileSync(join(dir, 'certs', 'ca.crt')), servername: 'localhost' } });
  t.teardown(() => agent.close());
  const get = async (path: string) => (await request(`${served.url}${path}`, { dispatcher: agent })).body.text();
  const allowedIn = async (namespace: string) => {
    const review = reviewFor({ ...pod({ hostNetwork: true }), metadata: { name: 'web', namespace } });
    const response = await request(`${served.url}/validate`, {
      method: 'POST',
      dispatcher: agent,
      body: JSON.stringify(review),
      headers: { 'content-type': 'application/json' },
    });
    return ((await response.body.json()) as AdmissionReview).response!.allowed;
  };
  t.match(served.log(), /settings from .*config\.yaml \(followed for changes\)/);
  t.equal(await allowedIn('batch'), false, "denied: the flag's enforce over the file's warn");
  t.equal(await allowedIn('ci'), true, "the file's exemption applies");

  updateVolume(volume, { 'config.yaml': 'mode: warn\nexemptNamespaces: [ci, batch]\n' });
  await eventually(
    () => allowedIn('batch'),
    (allowed) => allowed,
    'the exemption added to the file to apply',
  );
  t.equal(await allowedIn('shop'), false, "after the reload the flag still wins over the file's mode");
  t.match(served.log(), /settings from .*config\.yaml in use/);
  t.equal(sample(await get('/metrics'), 'eci_admission_config_generation'), 2, 'the start and one reload');

  // Had it been applied, batch would lose its exemption.
  updateVolume(volume, { 'config.yaml': 'mode: warn\nexemptNamespaces: [ci]\nport: 9443\n' });
  await eventually(
    async () => sample(await get('/metrics'), 'eci_admission_config_parse_errors_total'),
    (errors) => errors === 1,
    'the broken file to be counted',
  );
  t.equal(await allowedIn('batch'), true, 'the last good settings still hold');
  t.equal(sample(await get('/metrics'), 'eci_admission_config_generation'), 2, 'nothing new taken into use');
  const refusals = served
    .log()
    .split('\n')
    .filter((line) => line.includes('config file refused'));
  t.equal(refusals.length, 1, 'one log line');
  t.match(refusals[0], /port is not a known field/, 'which says why');
  t.match(JSON.parse(await get('/readyz')), { status: 'ready', staleConfig: /port is not a known field/ });

  updateVolume(volume, { 'config.yaml': 'mode: warn\nexemptNamespaces: [ci]\n' });
  await eventually(
    () => allowedIn('batch'),
    (allowed) => !allowed,
    'a fixed file to apply again',
  );
  t.notMatch(await get('/readyz'), /staleConfig/, 'and /readyz no longer names a refusal');
});
