// What turns the API server into a cluster: kube-controller-manager (the controllers that make
// ReplicaSets, pods, default ServiceAccounts and their tokens, and collect garbage),
// kube-scheduler, and two nodes, a virtual node that behaves like ECI and an ordinary ECS-like one.
// Each runs as its own identity (control-plane.ts) and is recorded in the state as it starts.
import { request } from 'node:https';
import { join } from 'node:path';
import type { Binaries } from './binaries.js';
import { freePorts, type ControlPlane } from './control-plane.js';
import { kubectl, kubectlOk } from './kubectl.js';
import { ordinaryNodeIp, ordinaryNodeName, region, virtualNodeIp, virtualNodeName, zone } from './node-names.js';
import { e2eModuleDir, stateDir } from './paths.js';
import { startDetached, waitFor, type Started } from './processes.js';
import { addToState } from './state.js';

/** RBAC the nodes need beyond what the Node authorizer grants (virtual-kubelet's informers). */
const nodeRbac = join(e2eModuleDir, 'cluster', 'node-informers.yaml');

export async function startComponents(binaries: Binaries, plane: ControlPlane): Promise<void> {
  const [controllerManagerPort, schedulerPort] = await freePorts(2);
  const controllerManager = startDetached('kube-controller-manager', binaries.controllerManager.path, [
    ...servingArgs(plane.kubeconfigs['kube-controller-manager'], controllerManagerPort!, 'kube-controller-manager'),
    // Each controller with its own ServiceAccount, as kubeadm runs it.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${plane.serviceAccountKey}`,
    `--root-ca-file=${plane.caFile}`,
    '--controllers=*',
  ]);
  addToState({ controllerManager });
  const scheduler = startDetached(
    'kube-scheduler',
    binaries.scheduler.path,
    servingArgs(plane.kubeconfigs['kube-scheduler'], schedulerPort!, 'kube-scheduler'),
  );
  addToState({ scheduler });
  await waitFor('kube-controller-manager /healthz', () => healthz(controllerManagerPort!), 60_000, controllerManager);
  await waitFor('kube-scheduler /healthz', () => healthz(schedulerPort!), 60_000, scheduler);
  // The ServiceAccount admission plugin needs a namespace's default ServiceAccount before its first pod.
  await waitFor(
    'the default ServiceAccount (the controller-manager)',
    async () => (await kubectl(['get', 'serviceaccount', 'default'])).code === 0,
    60_000,
    controllerManager,
  );

  await kubectlOk(['apply', '-f', nodeRbac]);
  const common = (ip: string) => [
    `--internal-ip=${ip}`,
    `--kubelet-version=${binaries.apiserver.version}`,
    `--region=${region}`,
    `--zone=${zone}`,
  ];
  const virtualNode = startNode('virtual-node', binaries, plane.kubeconfigs['virtual-node'], [
    '--kind=virtual',
    `--name=${virtualNodeName}`,
    ...common(virtualNodeIp),
  ]);
  addToState({ virtualNode });
  const ordinaryNode = startNode('ordinary-node', binaries, plane.kubeconfigs['ordinary-node'], [
    '--kind=ordinary',
    `--name=${ordinaryNodeName}`,
    ...common(ordinaryNodeIp),
  ]);
  addToState({ ordinaryNode });
  await waitFor(`node ${virtualNodeName} Ready`, () => nodeReady(virtualNodeName), 60_000, virtualNode);
  await waitFor(`node ${ordinaryNodeName} Ready`, () => nodeReady(ordinaryNodeName), 60_000, ordinaryNode);
}

/** Serving on loopback with a self-signed certificate, authenticating and authorizing through the API server. */
function servingArgs(kubeconfig: string, port: number, name: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(stateDir, name)}`,
    // One of each: no election to wait for.
    '--leader-elect=false',
    '--profiling=false',
  ];
}

function startNode(
  name: 'virtual-node' | 'ordinary-node',
  binaries: Binaries,
  kubeconfig: string,
  args: string[],
): Started {
  return startDetached(name, binaries.virtualNode.path, [`--kubeconfig=${kubeconfig}`, ...args]);
}

/** /healthz, which both components allow without credentials; their certificate is self-signed. */
function healthz(port: number): Promise<boolean | string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/healthz', rejectUnauthorized: false }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve(res.statusCode === 200 ? true : `${res.statusCode} ${body}`));
    });
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

async function nodeReady(name: string): Promise<boolean | string> {
  const result = await kubectl(['get', 'node', name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
  return result.stdout.trim() === 'True' ? true : `Ready is "${result.stdout.trim()}" ${result.stderr.trim()}`;
}
