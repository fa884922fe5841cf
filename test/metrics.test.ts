// GET /metrics: Prometheus text with counters, histogram and context gauges that move with traffic.
import t from 'tap';
import { kubectlCreate, pod, reviewFor } from './helpers/objects.js';
import { startServer } from './helpers/server.js';

/** The value of one sample line, e.g. `name{a="b"}`, or undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

t.test('counters, findings and the duration histogram move with requests', async (t) => {
  const server = await startServer(t);
  const before = await server.text('/metrics');
  t.equal(sample(before, 'eci_admission_request_duration_seconds_count{path="/validate"}'), undefined, 'no traffic yet');
  await server.post('/validate', reviewFor(kubectlCreate('deployment', 'web', '--image=nginx')));
  await server.post('/validate', reviewFor(pod({ hostNetwork: true })));
  await server.post('/validate', reviewFor(pod({ hostNetwork: true })));
  await server.post('/mutate', reviewFor(pod({}, { 'alibabacloud.com/eci': 'true' })));
  await server.post('/validate', { kind: 'AdmissionReview' });
  const after = await server.text('/metrics');
  t.equal(sample(after, 'eci_admission_requests_total{path="/validate",operation="CREATE",kind="apps/Deployment",verdict="allowed"}'), 1);
  t.equal(sample(after, 'eci_admission_requests_total{path="/validate",operation="CREATE",kind="Pod",verdict="denied"}'), 2);
  t.equal(sample(after, 'eci_admission_requests_total{path="/mutate",operation="CREATE",kind="Pod",verdict="patched"}'), 1, 'routed to a virtual node');
  t.equal(sample(after, 'eci_admission_requests_total{path="/validate",operation="unknown",kind="unknown",verdict="invalid"}'), 1, 'a 400 is counted');
  t.equal(sample(after, 'eci_admission_findings_total{rule="host-network",severity="deny"}'), 2);
  t.equal(sample(after, 'eci_admission_placements_total{cause="serverless"}'), 3, 'the placement of each object judged');
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
