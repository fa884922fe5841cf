// The ceiling: a fastify HTTPS server that parses the same AdmissionReview and answers a fixed
// allow. Whatever eci-admission does beyond this is its own cost.
// Usage: [CEILING_HOST=ADDRESS] node dist/bench/ceiling.js PORT CERT_DIR [h2] (127.0.0.1 unless told)
// With h2 it offers HTTP/2 and HTTP/1.1 over ALPN: the protocol comparison of bench/http2.ts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, type FastifyPluginCallback, type RawServerBase } from 'fastify';
import type { AdmissionReview } from '../lib/admission/review.js';
import { webhookPaths } from '../lib/facts.js';

const [port, certDir, protocol] = process.argv.slice(2);
const tls = {
  cert: readFileSync(join(certDir!, 'tls.crt')),
  key: readFileSync(join(certDir!, 'tls.key')),
  minVersion: 'TLSv1.2',
} as const;
const bodyLimit = 8 * 1024 * 1024;
// Both routes, so that it can also stand in for eci-admission behind a real API server.
// GET /protocols counts the reviews by HTTP version: what a client really negotiated.
const protocols: Record<string, number> = {};
const routes: FastifyPluginCallback = (server, _options, done) => {
  for (const path of Object.values(webhookPaths)) {
    server.post<{ Body: AdmissionReview }>(path, async (req) => {
      protocols[req.raw.httpVersion] = (protocols[req.raw.httpVersion] ?? 0) + 1;
      return {
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        response: { uid: req.body.request?.uid ?? '', allowed: true },
      };
    });
  }
  server.get('/healthz', async () => ({ status: 'ok' }));
  server.get('/protocols', async () => protocols);
  done();
};

async function listen<Server extends RawServerBase>(app: FastifyInstance<Server>): Promise<void> {
  await app.register(routes as FastifyPluginCallback<Record<never, never>, Server>);
  await app.listen({ port: Number(port), host: process.env.CEILING_HOST ?? '127.0.0.1' });
}

await (protocol === 'h2'
  ? listen(Fastify({ http2: true, https: { ...tls, allowHTTP1: true }, bodyLimit }))
  : listen(Fastify({ https: tls, bodyLimit })));
