// Finding a Kubernetes configuration the standard way: the in-cluster service account, or the
// KUBECONFIG environment variable. No configuration means no cluster: the embedded profile.
import { existsSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

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

export interface KubeConfigChoice {
  /** `--kubeconfig`: that file instead of KUBECONFIG, ~/.kube/config or the service account. */
  readonly file?: string;
  /** `--context`: that context instead of the file's current one. */
  readonly context?: string;
}

/** A cluster found as kubectl finds one, for the commands that need one (`scan`). */
export async function loadKubeConfig(choice: KubeConfigChoice): Promise<KubeConfig> {
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

/** The namespace of the current context, as kubectl defaults to it. */
export function contextNamespace(config: KubeConfig): string {
  return config.getContextObject(config.getCurrentContext())?.namespace || 'default';
}
