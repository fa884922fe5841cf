// A body over the limit gets its 413, whatever the client: curl as it comes (Expect: 100-continue
// for a large body), curl without Expect, and a client that writes its whole body before reading,
// with a Content-Length or chunked. Real TLS on loopback.
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { connect } from 'node:tls';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { promisify } from 'node:util';
import t from 'tap';
import { maxReviewBytes } from '../lib/server/app.js';
import { pod, reviewFor } from './helpers/objects.js';
import { startServer, type TestServer } from './helpers/server.js';

const tooLarge = { statusCode: 413, message: 'the body is larger than 8 MiB, the limit' };

/** A review of 9 MiB: a pod with an annotation no rule reads. */
const oversized = JSON.stringify(
  reviewFor(pod({}, {}, { 'example.com/blob': 'x'.repeat(maxReviewBytes + mebibytes(1)) })),
);

function mebibytes(count: number): number {
  return count * 1024 * 1024;
}

/** curl's output for `--data-binary @file`: the body, then the status on a line of its own. */
async function curl(server: TestServer, file: string, ...flags: string[]): Promise<string> {
  const args = ['-sS', '--cacert', join(server.certDir, 'ca.crt'), '-H', 'content-type: application/json'];
  const printed = await promisify(execFile)('/usr/bin/curl', [
    ...args,
    ...flags,
    '--data-binary',
    `@${file}`,
    '-w',
    '\n%{http_code}',
    `${server.url}/validate`,
  ]);
  return printed.stdout;
}

t.test('curl gets the 413 and its message, with Expect: 100-continue (its default) and without', async (t) => {
  const server = await startServer(t);
  // Beside the server's certificates: a second t.testdir() would empty the folder they are in.
  const file = join(dirname(server.certDir), 'review.json');
  writeFileSync(file, oversized);
  const { statusCode, message } = tooLarge;
  const printed = `${JSON.stringify({ statusCode, error: 'Payload Too Large', message })}\n413`;
  for (const [name, flags] of [
    ['defaults', []],
    ['no Expect', ['-H', 'Expect:']],
  ] as const) {
    // One at a time: a large review holds one of two slots while it is refused.
    const answers = [];
    for (let run = 0; run < 10; run++) answers.push(await curl(server, file, ...flags));
    t.same(answers, Array(10).fill(printed), `${name}: 10 of 10`);
  }
});

t.test('with Expect: 100-continue, the 413 comes before 100 Continue; a review in bounds gets both', async (t) => {
  const server = await startServer(t);
  const refused = await server.postExpectingContinue('/validate', oversized);
  t.match(refused, { continued: false, status: 413, body: tooLarge }, 'refused on its Content-Length, body unsent');
  const inBounds = JSON.stringify(reviewFor(pod({}, {}, { 'example.com/blob': 'x'.repeat(mebibytes(2)) })));
  const judged = await server.postExpectingContinue('/validate', inBounds);
  t.match(judged, { continued: true, status: 200, body: { response: { allowed: true } } }, 'sent once asked for');
});

/**
 * A client that writes the whole body before it reads (the API server's HTTP client writes and
 * reads apart; this one never stops early), a piece at a time: what it read, and any error.
 */
async function writeWhole(server: TestServer, framing: 'length' | 'chunked', size: number) {
  const { port } = new URL(server.url);
  const ca = readFileSync(join(server.certDir, 'ca.crt'));
  const socket = connect({ host: '127.0.0.1', port: Number(port), servername: 'localhost', ca });
  let received = '';
  let error: string | undefined;
  socket.on('data', (chunk) => (received += chunk));
  socket.on('error', (failure: NodeJS.ErrnoException) => (error ??= failure.code));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const length = framing === 'length' ? `Content-Length: ${size}` : 'Transfer-Encoding: chunked';
  const write = (data: string | Buffer) => new Promise((resolve) => socket.write(data, resolve));
  await write(`POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n${length}\r\n\r\n`);
  const piece = Buffer.alloc(64 * 1024, ' ');
  const framed = framing === 'length' ? piece : Buffer.concat([Buffer.from('10000\r\n'), piece, Buffer.from('\r\n')]);
  for (let sent = 0; sent < size && error === undefined; sent += piece.length) {
    await write(framed);
    // A turn of the event loop between pieces, so that a reset that came in is seen.
    await nextTurn();
  }
  if (framing === 'chunked') await write('0\r\n\r\n');
  await closed;
  return { status: received.split('\r\n')[0], error, message: /"message":"([^"]*)"/.exec(received)?.[1] };
}

t.test('a client that writes its whole body first reads the 413, not a reset', async (t) => {
  const server = await startServer(t);
  const answer = { status: 'HTTP/1.1 413 Payload Too Large', error: undefined, message: tooLarge.message };
  for (let run = 0; run < 3; run++) {
    t.same(await writeWhole(server, 'length', mebibytes(9)), answer, `Content-Length of 9 MiB, run ${run + 1}`);
    // Chunked, it is refused once the limit is read: twice the limit leaves much unread.
    t.same(await writeWhole(server, 'chunked', mebibytes(16)), answer, `chunked, 16 MiB, run ${run + 1}`);
  }
  t.equal((await server.get('/healthz')).status, 200, 'and the server serves on');
});
