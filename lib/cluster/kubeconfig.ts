// Finding a Kubernetes configuration the standard way: the in-cluster service account, or the
// KUBECONFIG environment variable. No configuration means no cluster: the embedded profile.
import { existsSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

const serviceAccountToken = '/var/run/secrets/kubernetes.io/serviceaccount/token';

export function findKubeConfig(env: NodeJS.ProcessEnv = process.env): KubeConfig | undefined {
  const config = new KubeConfig();
  if (env.KUBERNETES_SERVICE_HOST && existsSync(serviceAccountToken)) {
    config.loadFromCluster();
    return config;
  }
  if (env.KUBECONFIG) {
    try {
      config.loadFromDefault();
    } catch (error) {
      // Said as what to fix: the variable and why its file cannot be used.
      throw new Error(`KUBECONFIG ${env.KUBECONFIG} cannot be used: ${(error as Error).message}`);
    }
    return config;
  }
  return undefined;
}
