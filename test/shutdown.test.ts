// SIGTERM to the built command: unready at once while reviews are answered through the shutdown
// delay, each closing its connection; then the listener closes, the idle connections with it, and
// what is in flight is answered, under load too.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { connect } from 'node:tls';
import t from 'tap';
import { Agent, request } from 'undici';
import { startServe, type Served } from './helpers/cli.js';
import { pod, reviewFor } from './helpers/objects.js';
import { eventually } from './helpers/server.js';

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

t.test(
  'SIGTERM: /readyz answers 503 at once, reviews and /healthz are answered through the delay, ' +
    'each review closing its connection; then exit 0',
  async (t) => {
    const certDir = join(t.testdir(), 'certs');
    // Room for a few requests after the signal on a busy machine; nothing here is timed.
    const served = await startServe(['--cert-dir', certDir, '--shutdown-delay', '5s']);
    const agent = new Agent({ connect: { ca: readFileSync(join(certDir, 'ca.crt')), servername: 'localhost' } });
    t.teardown(() => agent.close());
    const call = async (path: string, uid?: string) => {
      const review = uid === undefined ? {} : { method: 'POST', body: JSON.stringify(reviewFor(pod({}), { uid })) };
      const headers = { 'content-type': 'application/json' };
      const response = await request(`${served.url}${path}`, { dispatcher: agent, headers, ...review } as const);
      return { status: response.statusCode, connection: response.headers.connection, body: await response.body.json() };
    };
    t.match(await call('/validate', 'before'), { status: 200, connection: 'keep-alive' }, 'kept alive before');
    t.match(await call('/readyz'), { status: 200, body: { status: 'ready' } });
    const exited = served.stop();
    await eventually(
      async () => served.log(),
      (log) => log.includes('SIGTERM: not ready'),
      'the signal',
    );
    t.match(await call('/readyz'), { status: 503, body: { status: 'shutting down' } }, 'unready at once');
    t.match(
      await call('/validate', 'during'),
      { status: 200, connection: 'close', body: { response: { uid: 'during', allowed: true } } },
      'a review still answered, and its connection closed after it',
    );
    t.match(await call('/healthz'), { status: 200, connection: 'close' }, 'alive');
    t.equal(await exited, 0, 'a clean exit after the delay');
    const log = served.log();
    const order = ['SIGTERM: not ready', '"uid":"during"', 'closing: no new connections'].map((line) =>
      log.indexOf(line),
    );
    t.same(
      order.toSorted((a, b) => a - b),
      order,
      'the review was answered after the signal, before the listener closed',
    );
    t.notOk(order.includes(-1), 'and each was logged');
  },
);

/** A TLS connection to `served`, and what it has received. */
async function connection(served: Served, ca: Buffer) {
  const { port } = new URL(served.url);
  const socket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca });
  await once(socket, 'secureConnect');
  let received = '';
  socket.on('data', (chunk) => (received += chunk));
  const closed = once(socket, 'close');
  return { socket, received: async () => received, closed };
}

t.test(
  '--shutdown-delay 0s on SIGINT: the listener closes, idle connections too, a request in flight is answered',
  async (t) => {
    const certDir = join(t.testdir(), 'certs');
    const served = await startServe(['--cert-dir', certDir, '--shutdown-delay', '0s']);
    const ca = readFileSync(join(certDir, 'ca.crt'));
    // Kept alive after its answer, then idle.
    const idle = await connection(served, ca);
    idle.socket.write('GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await eventually(idle.received, (text) => text.endsWith('{"status":"ok"}'), 'the first answer');
    const inFlight = await connection(served, ca);
    const body = JSON.stringify(reviewFor(pod({}), { uid: 'in-flight' }));
    // The headers, and the body only once the server reads it: the request is under way.
    inFlight.socket.write(
      'POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
    );
    await eventually(inFlight.received, (text) => text.startsWith('HTTP/1.1 100 Continue'), '100 Continue');
    const exited = served.stop('SIGINT');
    await idle.closed;
    t.pass('the idle keep-alive connection was closed');
    // The idle connections are closed just before the listener: a connection may still slip in.
    const dial = () =>
      new Promise<string | undefined>((resolve) => {
        const probe = createConnection(Number(new URL(served.url).port), '127.0.0.1');
        probe.on('error', (error: NodeJS.ErrnoException) => resolve(error.code));
        probe.on('connect', () => {
          probe.destroy();
          resolve('connected');
        });
      });
    t.equal(await eventually(dial, (result) => result === 'ECONNREFUSED', 'a refusal'), 'ECONNREFUSED', 'no new one');
    inFlight.socket.write(body);
    const answer = await eventually(inFlight.received, (text) => text.includes('"uid":"in-flight"'), 'the answer');
    t.match(answer, /^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK\r\n/);
    t.match(answer, /\r\nconnection: close\r\n/i);
    await inFlight.closed;
    t.equal(await exited, 0, 'then a clean exit');
  },
);
