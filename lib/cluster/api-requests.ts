// Requests to the API server authenticated by client-node's KubeConfig (token, client certificate,
// exec plugin, CA) with bodies as raw JSON: client-node's typed models would drop any field they do
// not know yet, and custom resources have no model. Failures read as one line naming what was asked.
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { KubeConfig, V1Status } from '@kubernetes/client-node';

/** Long enough for a page of 500 large objects from a busy API server. */
const requestTimeoutMs = 60_000;

export interface Answer {
  readonly status: number;
  readonly body: string;
}

type Query = Readonly<Record<string, string | number | boolean | undefined>>;

export interface ApiClient {
  send(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    path: string,
    query?: Query,
    body?: { readonly type: string; readonly text: string },
  ): Promise<Answer>;
}

export function apiClient(config: KubeConfig): ApiClient {
  const server = config.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig names no cluster server');
  return { send: (method, path, query = {}, body) => send(config, server, { method, path, query, body }) };
}

/** The body of a 2xx answer; anything else as a one-line error naming what was asked. */
export function parsed<T>(answer: Answer, what: string): T {
  if (answer.status >= 200 && answer.status < 300) return JSON.parse(answer.body) as T;
  throw new Error(`cannot ${what}: ${answer.status} ${statusMessage(answer.body)}`);
}

/** The API server's Status message ("... cannot list resource ... in API group ..."), on one line. */
function statusMessage(body: string): string {
  try {
    const status = JSON.parse(body) as V1Status;
    if (typeof status.message === 'string') return status.message.replaceAll('\n', ' ');
  } catch {
    // Not a Status: a proxy's page, say. Its first line says enough.
  }
  return body.split('\n')[0]?.slice(0, 200) ?? '';
}

interface Request {
  readonly method: string;
  readonly path: string;
  readonly query: Query;
  readonly body: { readonly type: string; readonly text: string } | undefined;
}

async function send(config: KubeConfig, server: string, request: Request): Promise<Answer> {
  const url = new URL(server);
  url.pathname = `${url.pathname.replace(/\/$/, '')}${request.path}`;
  for (const [key, value] of Object.entries(request.query))
    if (value !== undefined) url.searchParams.set(key, String(value));
  const headers = { accept: 'application/json', ...(request.body ? { 'content-type': request.body.type } : {}) };
  const options: RequestOptions = { method: request.method, headers };
  await config.applyToHTTPSOptions(options);
  const transport = url.protocol === 'http:' ? httpRequest : httpsRequest;
  return new Promise((resolve, reject) => {
    const sent = transport(url, options, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    sent.setTimeout(requestTimeoutMs, () => sent.destroy(new Error(`no answer within ${requestTimeoutMs / 1000} s`)));
    sent.on('error', (error) => reject(new Error(`cannot reach the cluster at ${server}: ${error.message}`)));
    sent.end(request.body?.text);
  });
}
