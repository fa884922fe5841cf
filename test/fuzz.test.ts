// Property-based and fuzz tests: random and mutated AdmissionReviews never crash or hang the
// webhook, every answer is well formed, and every patch applies and is complete in one pass.
// FUZZ_RUNS=100000 npm test -- dist/test/fuzz.test.js runs the long version.
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import fc from 'fast-check';
import jsonpatch from 'fast-json-patch';
import t, { type Test } from 'tap';
import type { AdmissionRequest, AdmissionReview } from '../lib/admission/review.js';
import { policyContext, type PolicyContext } from '../lib/policy/context.js';
import { decide, type Decision } from '../lib/policy/decide.js';
import { mutatePod } from '../lib/policy/mutate.js';
import { matchingSelectors, placementOf } from '../lib/policy/placement.js';
import { unreadableFindings } from '../lib/policy/rules/index.js';
import { parseProfile } from '../lib/profile/profile.js';
import { buildApp } from '../lib/server/app.js';
import { staticContext } from '../lib/server/context-source.js';
import { ensureCertDir } from '../lib/tls/cert-dir.js';
import { podTemplateOf } from '../lib/workload/pod-template.js';
import {
  admissionRequest,
  fuzzRuns,
  hostileProfileData,
  hostileRequest,
  mutatedObject,
  policyContexts,
} from './helpers/arbitraries.js';
import { startServer } from './helpers/server.js';

/**
 * decide() turns a rule that throws into a refusal with the reason, so "never throws" alone would
 * hold for a judge that throws on everything: a request is refused as unreadable only for what it
 * is (nested too deep), never because judging it threw.
 */
const judgingThrew = (decision: Decision) =>
  decision.findings.some(
    (finding) => finding.rule === unreadableFindings.id && /^cannot be judged/.test(finding.message),
  );

/** The patch applies to the submitted object (validated as it goes) and yields the admitted one. */
function admitted(request: AdmissionRequest, decision: Decision): unknown {
  return jsonpatch.applyPatch(structuredClone(request.object), jsonpatch.deepClone(decision.patch), true).newDocument;
}

t.test('decide(): never throws; patches apply and a second pass has nothing to add', async (t) => {
  fc.assert(
    fc.property(admissionRequest, policyContexts, (request, context) => {
      const decision = decide(request, context);
      if (judgingThrew(decision)) return false;
      if (typeof decision.allowed !== 'boolean' || decision.findings.length > 0 === decision.allowed) return false;
      if (decision.patch.length === 0) return true;
      const again = decide({ ...request, object: admitted(request, decision) as AdmissionRequest['object'] }, context);
      return again.patch.length === 0;
    }),
    { numRuns: fuzzRuns(300) },
  );
  t.pass(`${fuzzRuns(300)} requests`);
});

t.test('the patch a mutation writes turns the submitted pod into exactly the pod the validators judge', async (t) => {
  const pods = admissionRequest.filter((request) => request.kind.kind === 'Pod');
  let patched = 0;
  fc.assert(
    fc.property(pods, policyContexts, (request, context) => {
      const pod = request.object as V1Pod;
      const mutation = mutatePod(pod, placementOf(podTemplateOf('Pod', pod), request.namespace, context), context);
      if (mutation.patch.length > 0) patched++;
      return isDeepStrictEqual(
        jsonpatch.applyPatch(structuredClone(pod), jsonpatch.deepClone(mutation.patch), true).newDocument,
        mutation.pod,
      );
    }),
    { numRuns: fuzzRuns(500) },
  );
  // Not vacuous: the generators must reach the selectors and the routing.
  t.ok(patched > 0, `${patched} of ${fuzzRuns(500)} pods patched`);
});

t.test('decide(): hostile values in every field it reads get a well-formed decision', async (t) => {
  fc.assert(
    fc.property(hostileRequest, policyContexts, (request, context) => {
      const decision = decide(request, context);
      return (
        !judgingThrew(decision) &&
        typeof decision.allowed === 'boolean' &&
        decision.findings.length > 0 !== decision.allowed &&
        Array.isArray(decision.patch)
      );
    }),
    { numRuns: fuzzRuns(200) },
  );
  t.equal(({} as Record<string, unknown>).x, undefined, 'no prototype polluted');
});

t.test('the profile parser: hostile data is a profile or a refusal with its reasons, never an exception', async (t) => {
  const { schemas } = policyContext();
  fc.assert(
    fc.property(hostileProfileData, (data) => {
      const parsed = parseProfile(data, 'fuzz', schemas);
      const refusals = parsed.problems.filter((problem) => problem.severity === 'deny');
      return parsed.profile === undefined ? refusals.length > 0 : refusals.length === 0;
    }),
    { numRuns: fuzzRuns(200) },
  );
  t.equal(({} as Record<string, unknown>).x, undefined, 'no prototype polluted');
});

t.test('the selector index finds exactly what matching every selector finds', async (t) => {
  const labels = fc.dictionary(
    fc.constantFrom('app', 'team', 'tier', 'a/b', 'constructor'),
    fc.constantFrom('web', 'batch', 'x'),
    { maxKeys: 3 },
  );
  const selector = fc.record(
    {
      objectSelector: fc.record(
        {
          matchLabels: labels,
          matchExpressions: fc.array(
            fc.record({
              key: fc.constantFrom('app', 'tier', 'constructor'),
              operator: fc.constantFrom('In', 'NotIn', 'Exists', 'DoesNotExist'),
              values: fc.array(fc.constantFrom('web', 'batch'), { minLength: 1, maxLength: 2 }),
            }),
            { maxLength: 2 },
          ),
        },
        { requiredKeys: [] },
      ),
      namespaceSelector: fc.record({ matchLabels: labels }),
    },
    { requiredKeys: [] },
  );
  fc.assert(
    fc.property(
      fc.array(selector, { maxLength: 8 }),
      labels,
      labels,
      fc.boolean(),
      (items, podLabels, namespaceLabels, onEci) => {
        const selectors = JSON.stringify(items.map((item, index) => ({ name: `s${index}`, ...item })));
        const { profile } = parseProfile({ selectors }, 'fuzz', policyContext().schemas);
        if (!profile) return true;
        const scanned = profile.selectors.filter(
          (s) => (s.constrained || onEci) && s.matchesNamespace(namespaceLabels) && s.matchesObject(podLabels),
        );
        const indexed = matchingSelectors(podLabels, namespaceLabels, policyContext({ profile }), onEci);
        return JSON.stringify(indexed.map((s) => s.name)) === JSON.stringify(scanned.map((s) => s.name));
      },
    ),
    { numRuns: fuzzRuns(300) },
  );
  t.pass('index and scan agree');
});

/** A body: a plausible or hostile review, one with a garbage envelope, or not a review at all. */
const body = fc.oneof(
  fc
    .oneof(admissionRequest, hostileRequest)
    .map((request) => JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request })),
  fc
    .record(
      {
        apiVersion: fc.constantFrom('admission.k8s.io/v1', 'v1'),
        kind: fc.constantFrom('AdmissionReview', 'Pod'),
        request: fc.oneof(fc.anything({ maxDepth: 2 }), mutatedObject),
      },
      { requiredKeys: [] },
    )
    .map((review) => JSON.stringify(review)),
  fc.json({ maxDepth: 3 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);

/** 200 with the request's uid and a response, or a 4xx saying why: nothing else. */
function wellFormed(sent: string, status: number, answer: string): boolean {
  const reply = JSON.parse(answer) as AdmissionReview & { statusCode?: number; message?: string };
  if (status >= 400 && status < 500) return reply.statusCode === status && typeof reply.message === 'string';
  if (status !== 200 || !reply.response) return false;
  const uid = (JSON.parse(sent) as AdmissionReview).request?.uid;
  return reply.kind === 'AdmissionReview' && reply.response.uid === uid && typeof reply.response.allowed === 'boolean';
}

/** Every body `bodies` generates gets a well-formed answer from an app with `context`, in-process. */
async function answersEveryBody(t: Test, bodies: fc.Arbitrary<string>, context: PolicyContext): Promise<void> {
  const certificate = await ensureCertDir(join(t.testdir(), 'certs'), new Date());
  const app = buildApp({ tls: certificate, context: staticContext(context), logger: false });
  t.teardown(() => app.close());
  await fc.assert(
    fc.asyncProperty(bodies, fc.constantFrom('/mutate', '/validate'), async (payload, url) => {
      const reply = await app.inject({ method: 'POST', url, payload, headers: { 'content-type': 'application/json' } });
      return wellFormed(payload, reply.statusCode, reply.body);
    }),
    { numRuns: fuzzRuns(200) },
  );
  t.pass('every answer well formed');
}

t.test('the server answers every body with a review or a 4xx (fastify inject)', (t) =>
  answersEveryBody(t, body, policyContext({ clusterMode: 'hybrid' })),
);

t.test('the server answers hostile reviews with a review or a 4xx, never a 5xx (fastify inject)', (t) =>
  answersEveryBody(
    t,
    hostileRequest.map((request) =>
      JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }),
    ),
    policyContext(),
  ),
);

t.test('a few of them over real TLS', async (t) => {
  const server = await startServer(t, { clusterMode: 'hybrid' });
  await fc.assert(
    fc.asyncProperty(body, fc.constantFrom('/mutate', '/validate'), async (payload, url) => {
      const reply = await server.post(url, payload);
      return wellFormed(payload, reply.status, JSON.stringify(reply.body));
    }),
    { numRuns: 20 },
  );
  t.pass('every answer well formed');
});
