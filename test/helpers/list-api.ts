// A stand-in for the Kubernetes API's reads and the PolicyReport writes `scan` makes, on loopback
// HTTP: lists at the real paths with `limit` and opaque `continue` tokens (`page-2`, ...), objects
// without apiVersion and kind as the API server lists them, 403 Status answers for resources a
// test forbids, 404 for a custom resource nobody installed, server-side apply and delete of
// PolicyReports, and create (POST, 409 when it exists) and update (PUT, 409 unless it carries the
// stored resourceVersion) as the background scan's Lease is written. It records every request, so a
// test can see the pages asked for.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubernetesObject } from '@kubernetes/client-node';

interface Stored {
  /** `/apis/apps/v1`, `/api/v1`. */
  readonly groupVersionPath: string;
  readonly plural: string;
  readonly object: KubernetesObject;
}

export class ListApi {
  readonly requests: string[] = [];
  /** The largest number of items one list answer carried. */
  largestPage = 0;
  #objects: Stored[] = [];
  #forbidden = new Set<string>();
  #served = new Set<string>([
    '/api/v1',
    '/apis/apps/v1',
    '/apis/batch/v1',
    '/apis/wgpolicyk8s.io/v1alpha2',
    '/apis/coordination.k8s.io/v1',
  ]);
  #version = 0;
  #server: Server;

  private constructor() {
    this.#server = createServer((request, response) => void this.#handle(request, response));
  }

  static async start(): Promise<ListApi> {
    const api = new ListApi();
    await new Promise<void>((resolve) => api.#server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  kubeConfigYaml(context = 'fake', namespace?: string): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fake, cluster: {server: "${this.url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: fake, user: {token: test-token}}]',
      `contexts: [{name: ${context}, context: {cluster: fake, user: fake${namespace ? `, namespace: ${namespace}` : ''}}}]`,
      `current-context: ${context}`,
      '',
    ].join('\n');
  }

  /** Stores an object at `groupVersionPath/[namespaces/NS/]plural`. */
  add(groupVersionPath: string, plural: string, object: KubernetesObject): void {
    this.#objects.push({ groupVersionPath, plural, object });
  }

  /** `add` for a Namespace. */
  namespace(name: string, labels: Record<string, string> = {}): void {
    this.add('/api/v1', 'namespaces', {
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } },
    });
  }

  /** Serves a group-version that is not served by default (a CRD's). */
  serve(groupVersionPath: string): void {
    this.#served.add(groupVersionPath);
  }

  /** Every request for the plural (e.g. `pods`) is answered 403 as RBAC answers it. */
  forbid(plural: string): void {
    this.#forbidden.add(plural);
  }

  stored(groupVersionPath: string, plural: string): KubernetesObject[] {
    return this.#objects
      .filter((stored) => stored.groupVersionPath === groupVersionPath && stored.plural === plural)
      .map((stored) => stored.object);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    const body = await text(request);
    const route = this.#route(url.pathname);
    if (route === undefined)
      return send(response, 404, status(404, 'the server could not find the requested resource'));
    if (this.#forbidden.has(route.plural)) {
      const where = route.namespace ? `in the namespace "${route.namespace}"` : 'at the cluster scope';
      return send(
        response,
        403,
        status(
          403,
          `${route.plural} is forbidden: User "fake" cannot ${request.method === 'GET' && !route.name ? 'list' : 'get'} resource "${route.plural}" in API group "" ${where}`,
        ),
      );
    }
    if (request.method === 'PATCH')
      return send(response, 200, this.#apply(route, JSON.parse(body) as KubernetesObject));
    const matching = this.#objects.filter((stored) => matches(stored, route));
    if (request.method === 'POST') return this.#create(response, route, JSON.parse(body) as KubernetesObject);
    if (request.method === 'PUT')
      return this.#update(response, route, matching[0], JSON.parse(body) as KubernetesObject);
    if (request.method === 'DELETE') {
      this.#objects = this.#objects.filter((stored) => !matching.includes(stored));
      return send(response, matching.length ? 200 : 404, status(matching.length ? 200 : 404, 'deleted'));
    }
    if (route.name)
      return matching[0]
        ? send(response, 200, matching[0].object)
        : send(response, 404, status(404, `${route.plural} "${route.name}" not found`));
    this.#list(
      response,
      matching.filter((stored) => selected(stored.object, url.searchParams.get('labelSelector'))),
      url.searchParams,
    );
  }

  #list(response: ServerResponse, matching: readonly Stored[], query: URLSearchParams): void {
    const limit = Number(query.get('limit') ?? matching.length) || matching.length;
    const start = query.get('continue') ? Number(query.get('continue')!.replace('page-', '')) * limit - limit : 0;
    const items = matching.slice(start, start + limit).map((stored) => stored.object);
    this.largestPage = Math.max(this.largestPage, items.length);
    const more = start + limit < matching.length;
    send(response, 200, {
      kind: 'List',
      apiVersion: 'v1',
      metadata: { resourceVersion: '1', ...(more ? { continue: `page-${start / limit + 2}` } : {}) },
      items,
    });
  }

  #apply(route: Route, object: KubernetesObject): KubernetesObject {
    this.#objects = this.#objects.filter((stored) => !matches(stored, route));
    this.add(route.groupVersionPath, route.plural, object);
    return object;
  }

  #create(response: ServerResponse, route: Route, object: KubernetesObject): void {
    const { name } = object.metadata ?? {};
    const exists = this.#objects.some((stored) => matches(stored, { ...route, name }));
    if (exists) send(response, 409, status(409, `${route.plural} "${name}" already exists`));
    else send(response, 201, this.#store(route, object));
  }

  #update(response: ServerResponse, route: Route, stored: Stored | undefined, object: KubernetesObject): void {
    const [code, body] = this.#replaced(route, stored, object);
    send(response, code, body);
  }

  /** A PUT's answer: 404 for no object, 409 unless it carries the stored resourceVersion. */
  #replaced(route: Route, stored: Stored | undefined, object: KubernetesObject): [number, unknown] {
    if (stored === undefined) return [404, status(404, `${route.plural} "${route.name}" not found`)];
    if (object.metadata?.resourceVersion !== stored.object.metadata?.resourceVersion)
      return [409, status(409, 'the object has been modified; please apply your changes to the latest version')];
    this.#objects = this.#objects.filter((other) => other !== stored);
    return [200, this.#store(route, object)];
  }

  /** Stored with a new resourceVersion, as written. */
  #store(route: Route, object: KubernetesObject): KubernetesObject {
    const written = { ...object, metadata: { ...object.metadata, resourceVersion: String(++this.#version) } };
    this.add(route.groupVersionPath, route.plural, written);
    return written;
  }

  #route(path: string): Route | undefined {
    const match = /^(\/api\/v1|\/apis\/[^/]+\/[^/]+)(?:\/namespaces\/([^/]+)(?=\/))?\/([^/]+)(?:\/([^/]+))?$/.exec(
      path,
    );
    if (!match || !this.#served.has(match[1]!)) return undefined;
    // `/api/v1/namespaces/NAME` is a Namespace, not the start of a namespaced path.
    if (match[3] === 'namespaces' || match[2] === undefined)
      return { groupVersionPath: match[1]!, plural: match[3]!, name: match[4] };
    return { groupVersionPath: match[1]!, namespace: match[2], plural: match[3]!, name: match[4] };
  }
}

interface Route {
  readonly groupVersionPath: string;
  readonly namespace?: string | undefined;
  readonly plural: string;
  readonly name?: string | undefined;
}

function matches(stored: Stored, route: Route): boolean {
  const { name, namespace } = stored.object.metadata ?? {};
  return (
    stored.groupVersionPath === route.groupVersionPath &&
    stored.plural === route.plural &&
    (route.namespace === undefined || namespace === route.namespace) &&
    (route.name === undefined || name === route.name)
  );
}

/** Equality selectors only (`a=b,c=d`): what the tests use. */
function selected(object: KubernetesObject, selector: string | null): boolean {
  if (!selector) return true;
  return selector.split(',').every((pair) => {
    const [key, value] = pair.split('=');
    return object.metadata?.labels?.[key!] === value;
  });
}

function status(code: number, message: string) {
  return { kind: 'Status', apiVersion: 'v1', status: code < 300 ? 'Success' : 'Failure', message, code };
}

function send(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function text(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => resolve(body));
  });
}
