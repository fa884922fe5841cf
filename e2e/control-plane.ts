// etcd and kube-apiserver on 127.0.0.1, with the credentials of a cluster: a serving certificate
// for the API server, a service-account signing key (the controller-manager mints the tokens), and a
// token per identity (admin, controller-manager, scheduler, each node), each with a kubeconfig.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { generateCertificates } from '../lib/tls/certificates.js';
import type { Binary } from './binaries.js';
import { kubectl } from './kubectl.js';
import { adminKubeconfig, stateDir } from './paths.js';
import { startDetached, waitFor, type Started } from './processes.js';
import { addToState } from './state.js';
import { hostAddress } from './network.js';
import { ordinaryNodeName, virtualNodeName } from './node-names.js';

export interface ControlPlane {
  /** PEM of the CA that signed the API server's certificate: what a kubeconfig trusts. */
  readonly caCert: string;
  /** The same, as a file (the controller-manager's --root-ca-file). */
  readonly caFile: string;
  readonly server: string;
  /** The service-account signing key, which the controller-manager's token controller signs with. */
  readonly serviceAccountKey: string;
  /** A kubeconfig per component, each its own identity (see `identities`). */
  readonly kubeconfigs: Readonly<Record<Component, string>>;
}

const pkiDir = join(stateDir, 'pki');

/**
 * Who each component is, as a real cluster names them: the users the bootstrap RBAC policy binds
 * (system:kube-controller-manager, system:kube-scheduler) and nodes in system:nodes, which the Node
 * authorizer and NodeRestriction confine to their own Node and pods.
 */
const identities = {
  'kube-controller-manager': { user: 'system:kube-controller-manager', groups: [] },
  'kube-scheduler': { user: 'system:kube-scheduler', groups: [] },
  'virtual-node': { user: `system:node:${virtualNodeName}`, groups: ['system:nodes'] },
  'ordinary-node': { user: `system:node:${ordinaryNodeName}`, groups: ['system:nodes'] },
} as const satisfies Record<string, { user: string; groups: readonly string[] }>;
type Component = keyof typeof identities;

export async function startControlPlane(binaries: { apiserver: Binary; etcd: Binary }): Promise<ControlPlane> {
  // A new cluster every time: no etcd data or credentials from an earlier run.
  for (const dir of [pkiDir, join(stateDir, 'etcd')]) rmSync(dir, { recursive: true, force: true });
  mkdirSync(pkiDir, { recursive: true });
  const [etcdPort, peerPort, apiPort] = await freePorts(3);
  const etcd = { ...startEtcd(binaries.etcd, etcdPort!, peerPort!), port: etcdPort! };
  addToState({ etcd });
  await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPort}/health`)).ok, 30_000, etcd);

  const credentials = writeCredentials();
  const server = `https://127.0.0.1:${apiPort}`;
  const caFile = join(pkiDir, 'ca.crt');
  writeFileSync(caFile, credentials.caCert);
  const apiserver = {
    ...startDetached('kube-apiserver', binaries.apiserver.path, apiserverArgs(etcdPort!, apiPort!)),
    port: apiPort!,
    version: binaries.apiserver.version,
  };
  addToState({ apiserver });
  writeKubeconfig(adminKubeconfig, server, credentials.caCert, 'admin', credentials.adminToken);
  // The API server makes the system namespaces itself once it is up; tests and the webhook's
  // first list need them.
  await waitFor(
    'kube-apiserver /readyz',
    async () => (await kubectl(['get', '--raw', '/readyz'])).code === 0,
    120_000,
    apiserver,
  );
  await waitFor(
    'namespace default',
    async () => (await kubectl(['get', 'namespace', 'default'])).code === 0,
    60_000,
    apiserver,
  );
  const kubeconfigs = Object.fromEntries(
    Object.entries(identities).map(([component, { user }]) => {
      const path = join(pkiDir, `${component}.kubeconfig`);
      writeKubeconfig(path, server, credentials.caCert, user, credentials.tokens[component as Component]);
      return [component, path];
    }),
  ) as Record<Component, string>;
  return { caCert: credentials.caCert, caFile, server, serviceAccountKey: join(pkiDir, 'sa.key'), kubeconfigs };
}

function startEtcd(binary: Binary, port: number, peerPort: number): Started {
  const client = `http://127.0.0.1:${port}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  return startDetached('etcd', binary.path, [
    '--data-dir',
    join(stateDir, 'etcd'),
    '--listen-client-urls',
    client,
    '--advertise-client-urls',
    client,
    '--listen-peer-urls',
    peer,
    '--initial-advertise-peer-urls',
    peer,
    '--initial-cluster',
    `default=${peer}`,
    '--log-level',
    'warn',
    // Throwaway data: no fsync, as envtest runs it.
    '--unsafe-no-fsync',
  ]);
}

function apiserverArgs(etcdPort: number, port: number): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    // Every address: loopback for kubectl and the components, and this machine's side of the
    // replicas' network (e2e/network.ts), where the webhook replicas reach it. Without an
    // advertise address, a machine with no default route fails to start it.
    '--bind-address=0.0.0.0',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${join(pkiDir, 'apiserver.crt')}`,
    `--tls-private-key-file=${join(pkiDir, 'apiserver.key')}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(pkiDir, 'sa.key')}`,
    `--service-account-signing-key-file=${join(pkiDir, 'sa.key')}`,
    `--token-auth-file=${join(pkiDir, 'tokens.csv')}`,
    // As kubeadm sets them: nodes are authorized for their own objects only, and NodeRestriction
    // refuses a node's writes to other nodes and to pods not bound to it.
    '--authorization-mode=Node,RBAC',
    '--enable-admission-plugins=NodeRestriction',
    // Clusters allow privileged containers; otherwise the API server's own validation would refuse
    // them before our validating webhook ever sees them.
    '--allow-privileged=true',
    '--profiling=false',
    // MutatingAdmissionPolicy is beta and off by default in 1.34: on here, so the routing policy
    // of `eci-admission policies --mutating` can be tested.
    '--feature-gates=MutatingAdmissionPolicy=true',
    '--runtime-config=admissionregistration.k8s.io/v1beta1=true',
    // The API server would publish 127.0.0.1 as the kubernetes Service's endpoint, which is refused.
    '--endpoint-reconciler-type=none',
    // A webhook's Service is dialled at a ready endpoint of its EndpointSlices rather than at its
    // ClusterIP, which nothing routes here (no kube-proxy): the webhook replicas' addresses.
    '--enable-aggregator-routing=true',
  ];
}

function writeCredentials(): { caCert: string; adminToken: string; tokens: Record<Component, string> } {
  const serving = generateCertificates({
    dnsNames: ['localhost', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc'],
    ipAddresses: ['127.0.0.1', hostAddress],
    days: 30,
    now: new Date(),
  });
  writeFileSync(join(pkiDir, 'apiserver.crt'), serving.cert);
  writeFileSync(join(pkiDir, 'apiserver.key'), serving.key, { mode: 0o600 });
  // One ECDSA key signs and verifies service-account tokens (kubectl create token).
  const { privateKey } = generateKeyPairSync('ec', {
    namedCurve: 'prime256v1',
    privateKeyEncoding: { type: 'sec1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  writeFileSync(join(pkiDir, 'sa.key'), privateKey, { mode: 0o600 });
  const token = () => randomBytes(24).toString('hex');
  const adminToken = token();
  const tokens = Object.fromEntries(Object.keys(identities).map((component) => [component, token()])) as Record<
    Component,
    string
  >;
  // token,user,uid[,"group1,group2"]
  const line = (secret: string, user: string, groups: readonly string[]) =>
    [secret, user, user, ...(groups.length > 0 ? [`"${groups.join(',')}"`] : [])].join(',');
  const lines = [line(adminToken, 'admin', ['system:masters'])];
  for (const [component, { user, groups }] of Object.entries(identities))
    lines.push(line(tokens[component as Component], user, groups));
  writeFileSync(join(pkiDir, 'tokens.csv'), `${lines.join('\n')}\n`, { mode: 0o600 });
  return { caCert: serving.caCert, adminToken, tokens };
}

export function writeKubeconfig(path: string, server: string, caCert: string, user: string, token: string): void {
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'e2e', cluster: { server, 'certificate-authority-data': Buffer.from(caCert).toString('base64') } },
    ],
    users: [{ name: user, user: { token } }],
    contexts: [{ name: user, context: { cluster: 'e2e', user } }],
    'current-context': user,
  };
  writeFileSync(path, stringify(config), { mode: 0o600 });
}

/** Ports the kernel hands out now; bound and released, so taken only by a race. */
export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((resolve) => {
          const server = createServer();
          server.listen(0, '127.0.0.1', () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
