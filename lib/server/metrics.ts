// Prometheus metrics for one app: a registry of its own (several apps in one process, as in the
// tests, must not share counters). Counting on the hot path is a few map updates with bounded
// labels; everything read from the context or the certificate is collected at scrape time.
import { X509Certificate } from 'node:crypto';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AdmissionRequest } from '../admission/review.js';
import type { Decision } from '../policy/decide.js';
import { version } from '../version.js';
import type { BackgroundScanStatus } from '../scan/background.js';
import { isHandledKind, kindKey } from '../workload/kinds.js';
import type { ContextSource, LoadStatus } from './context-source.js';

/** How a review was answered: the `verdict` label of eci_admission_requests_total. */
export type ReviewOutcome = 'allowed' | 'denied' | 'patched' | 'invalid' | 'error';

export interface AdmissionMetrics {
  readonly registry: Registry;
  /** One answered review: counts it, and its findings where its answer is the verdict. */
  decided(path: string, request: AdmissionRequest, decision: Decision, outcome: ReviewOutcome, judges: boolean): void;
  /** Any response of an admission route, answered or refused (400, 413, 5xx). */
  responded(path: string, statusCode: number, seconds: number): void;
}

/** Admission answers take well under a millisecond in-process; the API server gives up at 30 s. */
const durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

export function admissionMetrics(
  context: ContextSource,
  servingCertificate: () => string,
  backgroundScan?: () => BackgroundScanStatus,
): AdmissionMetrics {
  const registry = new Registry();
  // process_* and nodejs_*: memory, CPU, event loop lag, file descriptors, GC.
  collectDefaultMetrics({ register: registry });
  const requests = counter(
    registry,
    'eci_admission_requests_total',
    'Admission reviews by route, operation, kind (group/Kind, or "other" for kinds passed through) and verdict.',
    ['path', 'operation', 'kind', 'verdict'],
  );
  const findings = counter(registry, 'eci_admission_findings_total', 'Findings reported, by rule id and severity.', [
    'rule',
    'severity',
  ]);
  // By rule only: namespace names are unbounded (one cluster had 5,000); the log names the namespace.
  const audited = counter(
    registry,
    'eci_admission_audited_findings_total',
    'Findings allowed silently in audit mode, by rule id.',
    ['rule'],
  );
  const placements = counter(
    registry,
    'eci_admission_placements_total',
    'Objects judged, by what sends their pods to ECI' +
      ' (serverless, label, node-selector, node-name, profile-selector) or none.',
    ['cause'],
  );
  const exempt = counter(
    registry,
    'eci_admission_exempt_requests_total',
    'Requests allowed unchanged because they are exempt' +
      ', by route and by what exempts them (user, group, namespace, annotation).',
    ['path', 'reason'],
  );
  const duration = new Histogram({
    name: 'eci_admission_request_duration_seconds',
    help: 'Time from request received to response sent on the admission routes.',
    labelNames: ['path'] as const,
    buckets: durationBuckets,
    registers: [registry],
  });
  loadMetrics(registry, 'profile', 'eci-profiles', () => context.profileStatus());
  loadMetrics(registry, 'config', '--config files', () => context.configStatus());
  collectedGauge(
    registry,
    'eci_admission_namespace_cache_size',
    'Namespaces whose labels are cached.',
    () => context.current().namespaceLabels.size,
  );
  collectedGauge(
    registry,
    'eci_admission_certificate_expiry_timestamp_seconds',
    'When the serving certificate in use expires, in seconds since the epoch.',
    () => Date.parse(new X509Certificate(servingCertificate()).validTo) / 1000,
  );
  if (backgroundScan) backgroundScanMetrics(registry, backgroundScan);
  // Prometheus' build_info convention: always 1, the version in the labels.
  new Gauge({
    name: 'eci_admission_build_info',
    help: 'The running version of eci-admission and of Node.js.',
    labelNames: ['version', 'node'] as const,
    registers: [registry],
  }).set({ version, node: process.version }, 1);
  return {
    registry,
    decided(path, request, decision, verdict, judges) {
      const kind = kindKey(request.kind);
      requests.inc({ path, operation: request.operation, kind: isHandledKind(kind) ? kind : 'other', verdict });
      // The exemption's first word (user, group, namespace, annotation): a bounded label.
      if (decision.exempt) exempt.inc({ path, reason: decision.exempt.split(' ')[0] ?? 'other' });
      if (!judges) return;
      if (decision.placement) placements.inc({ cause: decision.placement.cause });
      for (const finding of decision.findings) findings.inc({ rule: finding.rule, severity: 'deny' });
      for (const finding of decision.warnings) findings.inc({ rule: finding.rule, severity: 'warn' });
      for (const finding of decision.audited ?? []) audited.inc({ rule: finding.rule });
    },
    responded(path, statusCode, seconds) {
      duration.observe({ path }, seconds);
      // Answered reviews were counted with what they were; the rest never reached a decision.
      if (statusCode !== 200)
        requests.inc({ path, operation: 'unknown', kind: 'unknown', verdict: statusCode < 500 ? 'invalid' : 'error' });
    },
  };
}

function counter<Label extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly Label[],
): Counter<Label> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Generation, load time and refusals of what a source loads, read at scrape time. */
function loadMetrics(registry: Registry, name: 'profile' | 'config', what: string, read: () => LoadStatus): void {
  const prefix = `eci_admission_${name}`;
  collectedGauge(
    registry,
    `${prefix}_generation`,
    `${what} taken into use since start (0 while waiting for the first, or with none).`,
    () => read().generation,
  );
  collectedGauge(
    registry,
    `${prefix}_last_load_timestamp_seconds`,
    `When the ${name} in use was loaded, in seconds since the epoch (0 before the first).`,
    () => (read().loadedAt ?? 0) / 1000,
  );
  new Counter({
    name: `${prefix}_parse_errors_total`,
    help: `${what} refused because they did not parse or check; the last good one stays in use.`,
    registers: [registry],
    collect() {
      this.reset();
      this.inc(read().refused);
    },
  });
}

/** `serve --background-scan`, read at scrape time: whether this replica leads, its last pass (0 before the first). */
function backgroundScanMetrics(registry: Registry, read: () => BackgroundScanStatus): void {
  const prefix = 'eci_admission_background_scan';
  const last = (field: 'seconds' | 'endedAt' | 'objects') => () => read().last?.[field] ?? 0;
  collectedGauge(
    registry,
    `${prefix}_leader`,
    'Whether this replica holds the Lease and runs the passes (1) or another does (0).',
    () => (read().leader ? 1 : 0),
  );
  collectedGauge(
    registry,
    `${prefix}_last_duration_seconds`,
    'How long the last completed pass took.',
    last('seconds'),
  );
  collectedGauge(
    registry,
    `${prefix}_last_end_timestamp_seconds`,
    'When the last completed pass ended, in seconds since the epoch.',
    () => last('endedAt')() / 1000,
  );
  collectedGauge(registry, `${prefix}_objects`, 'Objects the last completed pass judged.', last('objects'));
  new Gauge({
    name: `${prefix}_findings`,
    help: 'Findings of the last completed pass, by severity (deny, warn).',
    labelNames: ['severity'] as const,
    registers: [registry],
    collect() {
      const found = read().last;
      this.set({ severity: 'deny' }, found?.denials ?? 0);
      this.set({ severity: 'warn' }, found?.warnings ?? 0);
    },
  });
  new Counter({
    name: `${prefix}_passes_total`,
    help: 'Passes of the background scan, by result (ok, error); an error is logged on one line.',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'ok' }, read().passes);
      this.inc({ result: 'error' }, read().failures);
    },
  });
}

function collectedGauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}
