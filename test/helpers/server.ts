// A real eci-admission server on loopback TLS, started through `serve` exactly as the CLI does,
// and an HTTPS client that trusts the CA the server generated.
import { readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import type { Test } from 'tap';
import { Agent, request, type Dispatcher } from 'undici';
import type { AdmissionReview } from '../../lib/admission/review.js';
import { serve, type ServeOptions } from '../../lib/server/serve.js';
import { writeNewFiles } from '../../lib/files/new-files.js';
import { certFileNames, certificateFiles, privateDirMode } from '../../lib/tls/cert-dir.js';
import type { CertificateSet } from '../../lib/tls/certificates.js';

export interface TestServer {
  readonly url: string;
  readonly certDir: string;
  post(path: string, body: string | object, headers?: Record<string, string>): Promise<Reply>;
  get(path: string): Promise<Reply>;
  /** Any method, with its headers: what the server answers, headers included. */
  call(method: Dispatcher.HttpMethod, path: string, body?: string, headers?: Headers): Promise<FullReply>;
  /**
   * A POST that says `Expect: 100-continue` and sends its body only after `100 Continue`, as curl
   * does with a large body: whether the server said so, and its answer.
   */
  postExpectingContinue(path: string, body: string): Promise<Reply & { readonly continued: boolean }>;
  /** A GET whose body is not JSON (the metrics). */
  text(path: string): Promise<string>;
  /** The TCP connections the server holds (accepted, not yet closed). */
  connections(): Promise<number>;
  /** Closes the server before the test ends, as a replica is stopped (closing again is nothing). */
  close(): Promise<void>;
  /** What SIGTERM starts (serve's RunningServer.beginShutdown). */
  beginShutdown(): void;
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

type Headers = Record<string, string>;

interface FullReply extends Reply {
  readonly headers: Dispatcher.ResponseData['headers'];
}

type Choices = Partial<
  Pick<
    ServeOptions,
    | 'clusterMode'
    | 'cluster'
    | 'profile'
    | 'routing'
    | 'enforcement'
    | 'certDir'
    | 'logger'
    | 'registration'
    | 'backgroundScan'
  >
>;

/**
 * The set the first server of this test process generated. The servers after it that are given
 * no certDir start from a copy: generating costs about half a second of CPU, and the tests of
 * generation, rotation and expiry pass their own certDir or run the CLI.
 */
let generated: CertificateSet | undefined;

export async function startServer(t: Test, choices: Choices = {}): Promise<TestServer> {
  const ownDir = choices.certDir === undefined;
  const certDir = choices.certDir ?? join(t.testdir(), 'certs');
  if (ownDir && generated) await writeNewFiles(certDir, certificateFiles(generated), privateDirMode);
  const running = await serve({
    port: 0,
    host: '127.0.0.1',
    certDir,
    clusterMode: 'serverless',
    logger: false,
    ...choices,
  });
  if (ownDir) generated ??= readSet(certDir);
  const ca = readFileSync(join(certDir, 'ca.crt'), 'utf8');
  const agent = new Agent({ connect: { ca, servername: 'localhost' } });
  t.teardown(async () => {
    await agent.close();
    await running.app.close();
  });
  const call = async (method: Dispatcher.HttpMethod, path: string, body?: string, headers = {}): Promise<FullReply> => {
    const response = await request(`${running.url}${path}`, {
      method,
      dispatcher: agent,
      ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json', ...headers } }),
    });
    const answer = (await response.body.json()) as Record<string, unknown>;
    return { status: response.statusCode, headers: response.headers, body: answer };
  };
  const send = async (method: Dispatcher.HttpMethod, path: string, body?: string, headers?: Record<string, string>) => {
    const { status, body: answer } = await call(method, path, body, headers);
    return { status, body: answer };
  };
  return {
    url: running.url,
    certDir,
    post: (path, body, headers) => send('POST', path, typeof body === 'string' ? body : JSON.stringify(body), headers),
    get: (path) => send('GET', path),
    postExpectingContinue: (path, body) => postExpectingContinue(`${running.url}${path}`, ca, body),
    call,
    text: async (path) => (await request(`${running.url}${path}`, { dispatcher: agent })).body.text(),
    connections: () =>
      new Promise((resolve, reject) =>
        running.app.server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      ),
    close: () => running.app.close(),
    beginShutdown: () => running.beginShutdown(),
  };
}

function postExpectingContinue(url: string, ca: string, body: string): Promise<Reply & { continued: boolean }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const headers = {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      expect: '100-continue',
    };
    const sent = httpsRequest(url, { method: 'POST', ca, headers, agent: false }, async (response) => {
      let text = '';
      for await (const chunk of response) text += chunk;
      // A body never sent leaves the request open: the answer is all there is.
      sent.destroy();
      resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) as Record<string, unknown>, continued });
    });
    sent.on('continue', () => {
      continued = true;
      sent.end(body);
    });
    sent.on('error', reject);
  });
}

function readSet(dir: string): CertificateSet {
  const read = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { caCert: read(certFileNames.ca), cert: read(certFileNames.cert), key: read(certFileNames.key) };
}

export function responseOf(reply: Reply): NonNullable<AdmissionReview['response']> {
  return (reply.body as unknown as AdmissionReview).response!;
}

/** Polls until `check` passes: for state that changes asynchronously (a watch event). */
export async function eventually<T>(probe: () => Promise<T>, check: (value: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await probe();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}; last: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Log lines of the server, to see what it said. */
export function logSink(): { lines: string[]; logger: { level: string; stream: Writable } } {
  const lines: string[] = [];
  const stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { lines, logger: { level: 'info', stream } };
}
