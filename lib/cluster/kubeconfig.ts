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
