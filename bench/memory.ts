// RSS of a server process with the bench profile and 10,000 namespaces in its cache, after it
// has answered reviews from them. Prints one JSON line. Run with --expose-gc.
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { mkdtemp } from 'node:fs/promises';
import { webhookPaths } from '../lib/facts.js';
import { policyContext } from '../lib/policy/context.js';
import { buildApp } from '../lib/server/app.js';
import { LiveContext } from '../lib/server/context-source.js';
import { ensureCertDir } from '../lib/tls/cert-dir.js';
import { reviewFor } from '../test/helpers/objects.js';
import { profileOf } from './decide.js';
import { namespaceLabels, replicaSetPod } from './objects.js';

const megabytes = () => {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};
const quiet = { info: () => {}, warn: () => {} };
const live = new LiveContext(policyContext({ profile: profileOf(50) }), quiet);
const certificate = await ensureCertDir(join(await mkdtemp(join(tmpdir(), 'eci-bench-')), 'certs'), new Date());
const app = buildApp({ tls: certificate, context: live, logger: false });
await app.listen({ port: 0, host: '127.0.0.1' });
const payload = JSON.stringify(reviewFor(replicaSetPod));
const answer = async () => {
  for (let i = 0; i < 2000; i++)
    await app.inject({
      method: 'POST',
      url: webhookPaths.mutate,
      payload,
      headers: { 'content-type': 'application/json' },
    });
};
await answer();
const before = megabytes();
live.namespaces(namespaceLabels(10_000));
await answer();
const after = megabytes();
process.stdout.write(`${JSON.stringify({ before, after })}\n`);
await app.close();
