// Finding a Kubernetes configuration the standard way: the in-cluster service account, or the
// KUBECONFIG environment variable. No configuration means no cluster: the embedded profile.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { webhookService } from '../facts.js';

/** Where the kubelet mounts a pod's service account: its token, its CA and its namespace. */
const serviceAccountDir = '/var/run/secrets/kubernetes.io/serviceaccount';
const serviceAccountToken = `${serviceAccountDir}/token`;

export async function findKubeConfig(env: NodeJS.ProcessEnv = process.env): Promise<KubeConfig | undefined> {
  const inCluster = Boolean(env.KUBERNETES_SERVICE_HOST) && existsSync(serviceAccountToken);
  if (!inCluster && !env.KUBECONFIG) return undefined;
  // Imported only now: client-node costs most of a second at start, which no cluster should pay.
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  if (inCluster) {
    config.loadFromCluster();
    return config;
  }
  try {
    config.loadFromDefault();
  } catch (error) {
    // Said as what to fix: the variable and why its file cannot be used.
    throw new Error(`KUBECONFIG ${env.KUBECONFIG} cannot be used: ${(error as Error).message}`);
  }
  return config;
}

/**
 * The namespace this process runs in: its service account's, else POD_NAMESPACE (what a Downward
 * API variable is usually called), else the one deploy/ installs to (a run outside a pod).
 */
export function ownNamespace(env: NodeJS.ProcessEnv = process.env, file = `${serviceAccountDir}/namespace`): string {
  return readIfPresent(file)?.trim() || env.POD_NAMESPACE || webhookService.namespace;
}

function readIfPresent(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

export interface KubeConfigChoice {
  /** `--kubeconfig`: that file instead of KUBECONFIG, ~/.kube/config or the service account. */
  readonly file?: string;
  /** `--context`: that context instead of the file's current one. */
  readonly context?: string;
}

/**
 * A cluster found as kubectl finds one, for the commands that need one (`scan`); undefined when
 * there is none to find. client-node would then make up `http://localhost:8080`, and its first
 * request fail with "HTTP protocol is not allowed", which says nothing of the missing kubeconfig.
 */
export async function loadKubeConfig(choice: KubeConfigChoice): Promise<KubeConfig | undefined> {
  if (choice.file === undefined && !kubectlFindsOne()) return undefined;
  const { KubeConfig } = await import('@kubernetes/client-node');
  const config = new KubeConfig();
  try {
    if (choice.file === undefined) config.loadFromDefault();
    else config.loadFromFile(choice.file);
  } catch (error) {
    const named = choice.file === undefined ? 'the kubeconfig' : `--kubeconfig ${choice.file}`;
    throw new Error(`${named} cannot be used: ${(error as Error).message}`);
  }
  if (choice.context !== undefined) {
    const names = config.getContexts().map((context) => context.name);
    if (!names.includes(choice.context))
      throw new Error(
        `--context ${choice.context}: no such context (the kubeconfig has ${names.join(', ') || 'none'})`,
      );
    config.setCurrentContext(choice.context);
  }
  return config;
}

/** What loadFromDefault reads, in its order: KUBECONFIG, ~/.kube/config, the service account. */
function kubectlFindsOne(): boolean {
  return (
    Boolean(process.env.KUBECONFIG) || existsSync(join(homedir(), '.kube', 'config')) || existsSync(serviceAccountToken)
  );
}

/** The namespace of the current context, as kubectl defaults to it. */
export function contextNamespace(config: KubeConfig): string {
  return config.getContextObject(config.getCurrentContext())?.namespace || 'default';
}
