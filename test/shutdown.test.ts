// SIGTERM to the built command under load: the listener closes, requests already read are answered.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Agent, request } from 'undici';
import { startServe } from './helpers/cli.js';
import { pod, reviewFor } from './helpers/objects.js';

t.test('SIGTERM during a burst: every request the server read is answered', async (t) => {
  const certDir = join(t.testdir(), 'certs');
  const served = await startServe(['--cert-dir', certDir]);
  // Keep-alive connections, as the API server uses: some are busy when the signal lands.
  const agent = new Agent({
    connect: { ca: readFileSync(join(certDir, 'ca.crt')), servername: 'localhost' },
    connections: 16,
  });
  t.teardown(() => agent.close());
  const total = 600;
  const failed = new Map<string, string>();
  let answered = 0;
  let next = 0;
  let exited: Promise<number | null> | undefined;
  const worker = async () => {
    while (next < total) {
      const uid = `burst-${next++}`;
      try {
        const response = await request(`${served.url}/validate`, {
          method: 'POST',
          dispatcher: agent,
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(reviewFor(pod({}), { uid })),
        });
        t.equal(response.statusCode, 200, `${uid} answered 200`);
        await response.body.dump();
        answered++;
      } catch (error) {
        failed.set(uid, String((error as { code?: string }).code ?? error));
      }
      if (answered === total / 4 && exited === undefined) exited = served.stop();
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
  t.equal(await exited, 0, 'clean exit after the burst');
  // The server logs each review it decided; none of those may have gone unanswered.
  const decided = new Set([...served.log().matchAll(/"uid":"(burst-\d+)"/g)].map((match) => match[1]));
  const lost = [...failed.keys()].filter((uid) => decided.has(uid));
  t.same(lost, [], 'no request was decided and then lost');
  t.ok(
    answered >= total / 4,
    `${answered} answered, ${failed.size} refused (${[...new Set(failed.values())].join(', ')})`,
  );
});
