// The webhook replicas' network: a network namespace of the e2e run's own, joined to this machine
// by a veth pair, standing in for the pod network. The API server refuses loopback addresses in
// an EndpointSlice (ValidateEndpointIP), so a replica reached through the Service needs an address
// that is not loopback; here each replica has its own on the namespace's side of the pair, as a pod
// has its IP, and traffic to it never leaves the machine. Only root can make one (`ip netns`,
// iproute2; nsenter, util-linux).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The namespace the replicas run in. */
export const replicaNetns = 'eci-e2e';
const hostLink = 'eci-e2e0';
const netnsLink = 'eci-e2e1';
const prefix = '10.213.0';
/** This machine's side of the pair: where a replica reaches the API server (which binds every address). */
export const hostAddress = `${prefix}.1`;
/**
 * The addresses replicas are given, as pod IPs are: the first one free. The webhook's serving
 * certificate names them all (e2e/webhook.ts), so a URL to one verifies as the Service's name does.
 */
export const replicaAddresses = Array.from({ length: 40 }, (_, i) => `${prefix}.${11 + i}`);

async function ip(args: readonly string[]): Promise<string> {
  return (await exec('ip', [...args])).stdout;
}

/** Makes the namespace, the pair and every replica address, unless a previous run left them in place. */
export async function ensureReplicaNetwork(): Promise<void> {
  const namespaces = await ip(['netns', 'list']);
  if (!namespaces.split('\n').some((line) => line.split(' ')[0] === replicaNetns)) {
    await ip(['netns', 'add', replicaNetns]);
  }
  const inNetns = ['-n', replicaNetns];
  if (!(await linkExists([], hostLink))) {
    await ip(['link', 'add', hostLink, 'type', 'veth', 'peer', 'name', netnsLink, 'netns', replicaNetns]);
  }
  await ip(['addr', 'replace', `${hostAddress}/24`, 'dev', hostLink]);
  await ip(['link', 'set', hostLink, 'up']);
  for (const address of replicaAddresses) await ip([...inNetns, 'addr', 'replace', `${address}/24`, 'dev', netnsLink]);
  await ip([...inNetns, 'link', 'set', netnsLink, 'up']);
  await ip([...inNetns, 'link', 'set', 'lo', 'up']);
}

async function linkExists(netns: readonly string[], name: string): Promise<boolean> {
  return exec('ip', [...netns, 'link', 'show', name]).then(
    () => true,
    () => false,
  );
}

/**
 * The command line that runs `command` inside the replicas' namespace. nsenter execs it in its own
 * place (`ip netns exec` forks and would not pass a signal on), so the PID is the program's.
 */
export function inReplicaNetns(command: string, args: readonly string[]): { command: string; args: string[] } {
  return { command: 'nsenter', args: [`--net=/run/netns/${replicaNetns}`, command, ...args] };
}
