// The TLS listener as a client sees it: TLS 1.2 only with ECDHE and AEAD suites, TLS 1.3 on;
// a connection that never completes a handshake is dropped; open connections are capped.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { connect as connectTcp, type Socket } from 'node:net';
import { join } from 'node:path';
import { connect, type ConnectionOptions } from 'node:tls';
import t from 'tap';
import { maxConnections } from '../lib/server/app.js';
import { eventually, startServer } from './helpers/server.js';

/** The negotiated protocol and suite, or the handshake's error. */
function handshake(url: string, options: ConnectionOptions): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(
      { host: '127.0.0.1', port: Number(new URL(url).port), servername: 'localhost', ...options },
      () => {
        resolve(`${socket.getProtocol()} ${socket.getCipher().standardName}`);
        socket.end();
      },
    );
    socket.on('error', (error) => resolve(`refused: ${error.message}`));
  });
}

t.test('TLS 1.2 suites without forward secrecy or AEAD are refused; ECDHE with AES-GCM and TLS 1.3 work', async (t) => {
  const server = await startServer(t);
  const ca = readFileSync(join(server.certDir, 'ca.crt'), 'utf8');
  const tls12 = (ciphers: string) => handshake(server.url, { ca, ciphers, maxVersion: 'TLSv1.2' });
  for (const weak of [
    'AES128-SHA',
    'AES256-SHA',
    'AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-SHA',
    'ECDHE-RSA-AES256-SHA384',
  ]) {
    t.match(await tls12(weak), /^refused: /, weak);
  }
  t.equal(await tls12('ECDHE-RSA-AES128-GCM-SHA256'), 'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
  t.equal(await tls12('ECDHE-RSA-AES256-GCM-SHA384'), 'TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384');
  t.equal(await tls12('ECDHE-RSA-CHACHA20-POLY1305'), 'TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
  t.match(await handshake(server.url, { ca, minVersion: 'TLSv1.3' }), /^TLSv1\.3 TLS_AES_/);
  t.match(await handshake(server.url, { ca, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }), /^refused: /, 'TLS 1.1');
});

const tcp = (url: string): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connectTcp(Number(new URL(url).port), '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });

t.test('a TCP connection that never starts TLS is closed by the server', async (t) => {
  const server = await startServer(t);
  const socket = await tcp(server.url);
  let closed = false;
  socket.on('close', () => (closed = true));
  await eventually(
    async () => closed,
    (done) => done,
    'the server to drop the silent connection',
  );
  t.pass('dropped');
});

t.test(`connections past ${maxConnections} are closed at once`, async (t) => {
  const server = await startServer(t);
  const held = await Promise.all(Array.from({ length: maxConnections }, () => tcp(server.url)));
  t.teardown(() => {
    for (const socket of held) socket.destroy();
  });
  let heldClosed = 0;
  for (const socket of held) socket.on('close', () => heldClosed++);
  // A client's connect can finish before the server accepts: the extra must be accepted last, or
  // the cap may fall on one of the held ones instead.
  await eventually(
    () => server.connections(),
    (count) => count === maxConnections,
    `the server to hold ${maxConnections} connections`,
  );
  const extra = await tcp(server.url);
  await once(extra, 'close');
  t.equal(heldClosed, 0, 'the extra connection went first, while the others are open');
});
