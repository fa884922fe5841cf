// Large reviews are decoded a few at a time: past the slots, a large one is refused at once with
// 429 (the API server retries; a client that asked to be told before sending its body sends none),
// small ones are unaffected, and a slot comes back when its client goes away.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import t from 'tap';
import { largeReviewBytes, largeReviewSlots } from '../lib/server/large-reviews.js';
import { pod, reviewFor } from './helpers/objects.js';
import { eventually, startServer } from './helpers/server.js';

/** A review over the large threshold: a pod with a long annotation no rule reads. */
const largeReview = reviewFor(pod({}, {}, { 'example.com/blob': 'x'.repeat(largeReviewBytes + 1024) }));

/** A client that sends the headers of a large review and part of its body, then stalls. */
function stalledUpload(url: string, ca: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(url).port), servername: 'localhost', ca }, () => {
      const head = `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${2 * largeReviewBytes}\r\n\r\n{"apiVersion":`;
      socket.write(head, () => resolve(socket));
    });
    socket.on('error', reject);
  });
}

t.test(`at most ${largeReviewSlots} large reviews at once; the excess gets 429, small ones pass`, async (t) => {
  const server = await startServer(t);
  const ca = readFileSync(join(server.certDir, 'ca.crt'), 'utf8');
  const stalled = await Promise.all(Array.from({ length: largeReviewSlots }, () => stalledUpload(server.url, ca)));
  t.teardown(() => {
    for (const socket of stalled) socket.destroy();
  });
  const refused = await eventually(
    () => server.post('/validate', largeReview),
    (reply) => reply.status === 429,
    'a 429 while the slots are held',
  );
  t.match(refused.body, { statusCode: 429, message: /reviews over \d+ bytes at once; retry/ });
  t.match(
    await server.postExpectingContinue('/validate', JSON.stringify(largeReview)),
    { continued: false, status: 429 },
    'with Expect: 100-continue, refused before its body is asked for',
  );
  t.equal(
    (await server.post('/validate', reviewFor(pod({ hostNetwork: true })))).status,
    200,
    'a small review still passes',
  );
  for (const socket of stalled) socket.destroy();
  const accepted = await eventually(
    () => server.post('/validate', largeReview),
    (reply) => reply.status === 200,
    'a slot back',
  );
  t.equal((accepted.body.response as { allowed: boolean }).allowed, true);
});
