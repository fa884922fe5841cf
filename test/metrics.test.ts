// GET /metrics: Prometheus text with counters, histogram and context gauges that move with traffic.
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import t from 'tap';
import { defaultEnforcement } from '../lib/policy/enforcement.js';
import { defaultServingNames, generateCertificates } from '../lib/tls/certificates.js';
import { kubectlCreate, pod, reviewFor } from './helpers/objects.js';
import { ListApi } from './helpers/list-api.js';
import { eventually, startServer } from './helpers/server.js';
import { packagePath } from '../lib/facts.js';

/** The value of one sample line, e.g. `name{a="b"}`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('counters, findings and the duration histogram move with requests', async (t) => {
  const server = await startServer(t);
  const before = await server.text('/metrics');
  t.equal(
    sample(before, 'eci_admission_request_duration_seconds_count{path="/validate"}'),
    undefined,
    'no traffic yet',
  );
  await server.post('/validate', reviewFor(kubectlCreate('deployment', 'web', '--image=nginx')));
  await server.post('/validate', reviewFor(pod({ hostNetwork: true })));
  await server.post('/validate', reviewFor(pod({ hostNetwork: true })));
  await server.post('/mutate', reviewFor(pod({}, { 'alibabacloud.com/eci': 'true' })));
  await server.post('/validate', { kind: 'AdmissionReview' });
  const after = await server.text('/metrics');
  t.equal(
    sample(
      after,
      'eci_admission_requests_total{path="/validate",operation="CREATE",kind="apps/Deployment",verdict="allowed"}',
    ),
    1,
  );
  t.equal(
    sample(after, 'eci_admission_requests_total{path="/validate",operation="CREATE",kind="Pod",verdict="denied"}'),
    2,
  );
  t.equal(
    sample(after, 'eci_admission_requests_total{path="/mutate",operation="CREATE",kind="Pod",verdict="patched"}'),
    1,
    'routed to a virtual node',
  );
  t.equal(
    sample(
      after,
      'eci_admission_requests_total{path="/validate",operation="unknown",kind="unknown",verdict="invalid"}',
    ),
    1,
    'a 400 is counted',
  );
  t.equal(sample(after, 'eci_admission_findings_total{rule="host-network",severity="deny"}'), 2);
  t.equal(
    sample(after, 'eci_admission_placements_total{cause="serverless"}'),
    3,
    'the placement of each object judged',
  );
  t.equal(sample(after, 'eci_admission_request_duration_seconds_count{path="/validate"}'), 4);
  t.equal(sample(after, 'eci_admission_request_duration_seconds_count{path="/mutate"}'), 1);
  t.ok(sample(after, 'eci_admission_request_duration_seconds_sum{path="/validate"}')! > 0, 'durations add up');
  t.equal(sample(after, 'eci_admission_request_duration_seconds_bucket{le="+Inf",path="/validate"}'), 4);
});

t.test('profile, namespace cache and certificate gauges', async (t) => {
  const server = await startServer(t);
  const text = await server.text('/metrics');
  t.equal(sample(text, 'eci_admission_profile_generation'), 1, 'the embedded profile, loaded once');
  t.equal(sample(text, 'eci_admission_profile_parse_errors_total'), 0);
  t.equal(sample(text, 'eci_admission_namespace_cache_size'), 0);
  const loaded = sample(text, 'eci_admission_profile_last_load_timestamp_seconds')!;
  const expiry = sample(text, 'eci_admission_certificate_expiry_timestamp_seconds')!;
  const now = Date.now() / 1000;
  t.ok(loaded > now - 3600 && loaded <= now, `loaded at start-up (${loaded})`);
  // The generated serving certificate is valid for 825 days.
  t.ok(expiry > now + 800 * 86400 && expiry < now + 830 * 86400, `expires in about 825 days (${expiry})`);
  t.match(text, /# TYPE eci_admission_requests_total counter/);
  t.match(text, /# TYPE eci_admission_request_duration_seconds histogram/);
});

t.test('the certificate expiry follows a reload', async (t) => {
  const server = await startServer(t);
  const before = sample(await server.text('/metrics'), 'eci_admission_certificate_expiry_timestamp_seconds')!;
  const renewed = generateCertificates({ ...defaultServingNames, days: 30, now: new Date() });
  // The key first: a certificate without its key is a half-copied pair, refused until it matches.
  writeFileSync(join(server.certDir, 'tls.key'), renewed.key);
  writeFileSync(join(server.certDir, 'tls.crt'), renewed.cert);
  const expected = Date.parse(new X509Certificate(renewed.cert).validTo) / 1000;
  const after = await eventually(
    async () => sample(await server.text('/metrics'), 'eci_admission_certificate_expiry_timestamp_seconds'),
    (value) => value === expected,
    'the new expiry',
  );
  t.not(after, before, `from ${before} to ${after}`);
});

t.test('the reference lists every metric served, and serves every metric it lists', async (t) => {
  // With the background scan on: its series exist only then.
  const api = await ListApi.start();
  t.teardown(() => api.close());
  const cluster = new KubeConfig();
  cluster.loadFromString(api.kubeConfigYaml());
  const server = await startServer(t, { backgroundScan: { cluster, intervalMs: 60_000 } });
  await server.post('/validate', reviewFor(pod({ hostNetwork: true })));
  const served = new Set([...(await server.text('/metrics')).matchAll(/^# TYPE (\S+) /gm)].map((match) => match[1]!));
  const readme = readFileSync(packagePath('docs/reference.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Metrics'),
    readme.indexOf('\n## ', readme.indexOf('\n## Metrics') + 1),
  );
  const listed = [...section.matchAll(/^\| `([a-z_*]+)` \|/gm)].map((match) => match[1]!);
  const covers = (name: string, entry: string) =>
    entry.endsWith('*') ? name.startsWith(entry.slice(0, -1)) : name === entry;
  t.same(
    [...served].filter((name) => !listed.some((entry) => covers(name, entry))),
    [],
    'served but not in docs/reference.md',
  );
  t.same(
    listed.filter((entry) => ![...served].some((name) => covers(name, entry))),
    [],
    'in docs/reference.md but not served',
  );
  t.ok(
    served.has('process_resident_memory_bytes') && served.has('nodejs_eventloop_lag_seconds'),
    'Node process metrics',
  );
});

t.test('audit findings in thousands of namespaces add no series', async (t) => {
  const server = await startServer(t, { enforcement: { ...defaultEnforcement, mode: 'audit' } });
  for (let i = 0; i < 50; i++)
    await server.post('/validate', reviewFor(pod({ hostNetwork: true }), { namespace: `tenant-${i}` }));
  const series = (await server.text('/metrics'))
    .split('\n')
    .filter((line) => line.startsWith('eci_admission_audited_findings_total{'));
  t.same(series, ['eci_admission_audited_findings_total{rule="host-network"} 50']);
});
