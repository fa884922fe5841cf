// Every client gets its answer, also one refused before its body is read: over the body limit by
// its Content-Length, a large review past its slots, the wrong media type.
//
// With `Expect: 100-continue` the client sends the body only after `100 Continue`, which Node
// writes as soon as the headers are read unless a 'checkContinue' listener takes over. This one
// writes it when the body is first read, as Go's server does, so a refusal decided on the headers
// goes out first and the body is never sent.
//
// Without it, the client is still sending the body when the refusal is written. After an answer
// that closes the connection Node destroys the socket at once (it has no lingering close), and
// bytes arriving at a closed socket make the kernel reset the connection: the client, still
// writing, fails with ECONNRESET or EPIPE (curl: "Send failure") before it reads the answer. So
// such an answer first waits for the rest of the body, read and thrown away, up to a bound; the
// connection then closes with nothing unread. An answer that keeps the connection needs nothing:
// Node reads the rest of the body itself, before the next request.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** `discardBytes`: what is read past the route at most; a client sending more is cut off. */
export function answerBeforeBodies(app: FastifyInstance, discardBytes: number): void {
  const awaitingContinue = new WeakSet<IncomingMessage>();
  app.server.on('checkContinue', (req, res) => {
    awaitingContinue.add(req);
    // 'resume': the route reads the body (and Node, after the answer, discards a body not read).
    req.once('resume', () => {
      awaitingContinue.delete(req);
      if (!res.headersSent) res.writeContinue();
    });
    app.routing(req, res);
  });
  app.addHook('onSend', async (request, reply) => {
    const req = request.raw;
    // A client still waiting for 100 Continue sends no body: the answer goes out at once. A body
    // read to its end is complete on a socket, ended on fastify's inject, which has no socket.
    if (req.complete || req.readableEnded || awaitingContinue.has(req) || !closesConnection(request, reply)) return;
    await discardRest(req, discardBytes);
  });
}

/** The answer ends the connection: it says so, or the client asked for that. */
function closesConnection(request: FastifyRequest, reply: FastifyReply): boolean {
  return [reply.getHeader('connection'), request.headers.connection].some((value) => /\bclose\b/i.test(`${value}`));
}

/** Resolves at the end of the body, when the client goes away, or once `bound` more bytes came. */
function discardRest(req: IncomingMessage, bound: number): Promise<void> {
  return new Promise((resolve) => {
    let discarded = 0;
    const count = (chunk: Buffer) => {
      discarded += chunk.length;
      if (discarded > bound) stop();
    };
    const stop = () => {
      req.off('data', count).off('end', stop).off('close', stop);
      resolve();
    };
    req.on('data', count).once('end', stop).once('close', stop).resume();
  });
}
