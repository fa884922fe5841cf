// The ceiling: a fastify HTTPS server that parses the same AdmissionReview and answers a fixed
// allow. Whatever eci-admission does beyond this is its own cost.
// Usage: node dist/bench/ceiling.js PORT CERT_DIR
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify from 'fastify';
import type { AdmissionReview } from '../lib/admission/review.js';

const [port, certDir] = process.argv.slice(2);
const app = Fastify({
  https: { cert: readFileSync(join(certDir!, 'tls.crt')), key: readFileSync(join(certDir!, 'tls.key')), minVersion: 'TLSv1.2' },
  bodyLimit: 8 * 1024 * 1024,
});
// Both routes, so that it can also stand in for eci-admission behind a real API server.
for (const path of ['/mutate', '/validate']) {
  app.post<{ Body: AdmissionReview }>(path, async (req) => ({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    response: { uid: req.body.request?.uid ?? '', allowed: true },
  }));
}
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(port), host: '127.0.0.1' });
