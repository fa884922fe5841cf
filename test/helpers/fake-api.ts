// A stand-in for the Kubernetes API on loopback HTTP, speaking the real list/watch wire format:
// a JSON list with metadata.resourceVersion, and a chunked stream of newline-delimited watch
// events (ADDED, MODIFIED, DELETED) replayed from the requested resourceVersion. It also keeps
// the admissionregistration.k8s.io/v1 webhook configurations: GET, POST (create) and PATCH
// (JSON Patch), which is what registration uses.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import jsonPatch, { type Operation } from 'fast-json-patch';
import { profileLocations, type ProfileLocation } from '../../lib/profile/locations.js';

type Resource = 'configmaps' | 'namespaces';
type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Change {
  readonly resource: Resource;
  readonly type: EventType;
  readonly object: KubernetesObject;
  readonly version: number;
}

interface Watcher {
  readonly resource: Resource;
  readonly name: string | undefined;
  readonly response: ServerResponse;
}

const webhookConfigurations =
  /^\/apis\/admissionregistration\.k8s\.io\/v1\/((?:mutating|validating)webhookconfigurations)(?:\/([^/]+))?$/;

/** Where the profiles live is the webhook's own definition: the stand-in serves exactly there. */
function profileLocation(name: string): ProfileLocation {
  const location = profileLocations.find((candidate) => candidate.name === name);
  if (!location) throw new Error(`${name} is not a profile location`);
  return location;
}

const profileNamespaces = new Set(profileLocations.map((location) => location.namespace));

const routes: ReadonlyArray<readonly [(path: string) => boolean, Resource]> = [
  [
    (path) => [...profileNamespaces].some((namespace) => path === `/api/v1/namespaces/${namespace}/configmaps`),
    'configmaps',
  ],
  [(path) => path === '/api/v1/namespaces', 'namespaces'],
];

export class FakeApi {
  readonly requests: string[] = [];
  #version = 1;
  #objects: Record<Resource, Map<string, KubernetesObject>> = { configmaps: new Map(), namespaces: new Map() };
  #history: Change[] = [];
  #watchers = new Set<Watcher>();
  #sockets = new Set<Socket>();
  #heldLists: Array<() => void> | undefined;
  #server: Server;
  /** Webhook configurations by `<plural>/<name>`. */
  #configurations = new Map<string, KubernetesObject>();

  private constructor(holdLists: boolean) {
    this.#heldLists = holdLists ? [] : undefined;
    this.#server = createServer((request, response) => this.#handle(request, response));
    this.#server.on('connection', (socket) => {
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  /** `holdLists`: list requests wait until releaseLists(), to observe the server before its first sync. */
  static async start(options: { holdLists?: boolean } = {}): Promise<FakeApi> {
    const api = new FakeApi(options.holdLists ?? false);
    await new Promise<void>((resolve) => api.#server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** client-node accepts a plain-http server only with insecure-skip-tls-verify. */
  kubeConfigYaml(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      `clusters: [{name: fake, cluster: {server: "${this.url}", insecure-skip-tls-verify: true}}]`,
      'users: [{name: fake, user: {token: test-token}}]',
      'contexts: [{name: fake, context: {cluster: fake, user: fake}}]',
      'current-context: fake',
      '',
    ].join('\n');
  }

  /** Imports client-node on first use: a test that only writes kubeConfigYaml() does not pay for it. */
  async kubeConfig(): Promise<KubeConfig> {
    const { KubeConfig } = await import('@kubernetes/client-node');
    const config = new KubeConfig();
    config.loadFromString(this.kubeConfigYaml());
    return config;
  }

  /** Writes the profile ConfigMap of that name (`eci-profile` or `acs-profile`). */
  setProfile(data: Record<string, string>, name = 'eci-profile'): void {
    const { namespace } = profileLocation(name);
    this.#put('configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name, namespace },
      data,
    } as KubernetesObject);
  }

  deleteProfile(name = 'eci-profile'): void {
    this.#delete('configmaps', profileLocation(name).name);
  }

  setNamespace(name: string, labels: Record<string, string>): void {
    this.#put('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
  }

  /** A webhook configuration as stored; plural is e.g. `mutatingwebhookconfigurations`. */
  webhookConfiguration(plural: string, name: string): KubernetesObject | undefined {
    return this.#configurations.get(`${plural}/${name}`);
  }

  setWebhookConfiguration(plural: string, object: KubernetesObject): void {
    this.#configurations.set(`${plural}/${object.metadata!.name!}`, {
      ...object,
      metadata: { ...object.metadata, resourceVersion: String(++this.#version) },
    });
  }

  releaseLists(): void {
    const held = this.#heldLists ?? [];
    this.#heldLists = undefined;
    for (const release of held) release();
  }

  /** The API goes away: the listener closes and every open connection, watches included, is cut. */
  async close(): Promise<void> {
    const closed = new Promise((resolve) => this.#server.close(resolve));
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  #put(resource: Resource, object: KubernetesObject): void {
    const name = object.metadata!.name!;
    const type = this.#objects[resource].has(name) ? 'MODIFIED' : 'ADDED';
    this.#record(resource, type, object);
  }

  #delete(resource: Resource, name: string): void {
    const object = this.#objects[resource].get(name);
    if (object) this.#record(resource, 'DELETED', object);
  }

  #record(resource: Resource, type: EventType, object: KubernetesObject): void {
    const version = ++this.#version;
    const stored = { ...object, metadata: { ...object.metadata, resourceVersion: String(version) } };
    if (type === 'DELETED') this.#objects[resource].delete(stored.metadata.name!);
    else this.#objects[resource].set(stored.metadata.name!, stored);
    const change = { resource, type, object: stored, version };
    this.#history.push(change);
    for (const watcher of this.#watchers) this.#send(watcher, change);
  }

  #send(watcher: Watcher, change: Change): void {
    if (change.resource !== watcher.resource) return;
    if (watcher.name !== undefined && change.object.metadata?.name !== watcher.name) return;
    watcher.response.write(`${JSON.stringify({ type: change.type, object: change.object })}\n`);
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', this.url);
    this.requests.push(`${request.method} ${url.pathname}${url.search}`);
    const configuration = webhookConfigurations.exec(url.pathname);
    if (configuration) {
      void this.#configuration(request, response, configuration[1]!, configuration[2]);
      return;
    }
    const resource = routes.find(([matches]) => matches(url.pathname))?.[1];
    if (request.method !== 'GET' || resource === undefined) {
      status(response, 404);
      return;
    }
    const name = /^metadata\.name=(.+)$/.exec(url.searchParams.get('fieldSelector') ?? '')?.[1];
    if (url.searchParams.get('watch') === 'true')
      this.#watch(resource, name, Number(url.searchParams.get('resourceVersion') ?? 0), response);
    else if (this.#heldLists) this.#heldLists.push(() => this.#list(resource, name, response));
    else this.#list(resource, name, response);
  }

  async #configuration(
    request: IncomingMessage,
    response: ServerResponse,
    plural: string,
    name: string | undefined,
  ): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length === 0 ? undefined : (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown);
    const stored = name === undefined ? undefined : this.webhookConfiguration(plural, name);
    if (request.method === 'POST' && name === undefined) {
      const object = body as KubernetesObject;
      if (this.webhookConfiguration(plural, object.metadata?.name ?? '')) return status(response, 409);
      this.setWebhookConfiguration(plural, object);
      return json(response, 201, this.webhookConfiguration(plural, object.metadata!.name!));
    }
    if (stored === undefined) return status(response, 404);
    if (request.method === 'GET') return json(response, 200, stored);
    if (request.method === 'PATCH' && request.headers['content-type'] === 'application/json-patch+json') {
      try {
        // A failed `test` throws, as the API server answers 422 to a patch that does not apply.
        const patched = jsonPatch.applyPatch(structuredClone(stored), body as Operation[], true).newDocument;
        this.setWebhookConfiguration(plural, patched);
        return json(response, 200, this.webhookConfiguration(plural, name!));
      } catch {
        return status(response, 422);
      }
    }
    return status(response, 405);
  }

  #list(resource: Resource, name: string | undefined, response: ServerResponse): void {
    const items = [...this.#objects[resource].values()].filter(
      (object) => name === undefined || object.metadata?.name === name,
    );
    const kind = resource === 'configmaps' ? 'ConfigMapList' : 'NamespaceList';
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(
      JSON.stringify({ apiVersion: 'v1', kind, metadata: { resourceVersion: String(this.#version) }, items }),
    );
  }

  #watch(resource: Resource, name: string | undefined, from: number, response: ServerResponse): void {
    // No content-length: Node sends the body chunked, as the API server does for watches.
    response.writeHead(200, { 'content-type': 'application/json' });
    response.flushHeaders();
    const watcher = { resource, name, response };
    for (const change of this.#history) if (change.version > from) this.#send(watcher, change);
    this.#watchers.add(watcher);
    response.on('close', () => this.#watchers.delete(watcher));
  }
}

function json(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

/** A Kubernetes Status body, as the API server sends with an error code. */
function status(response: ServerResponse, code: number): void {
  json(response, code, { apiVersion: 'v1', kind: 'Status', status: 'Failure', code });
}
