// Where the e2e cluster keeps its things.
import { join } from 'node:path';
import { packagePath } from '../lib/facts.js';

export const repoRoot = packagePath('.');
/** The Go module that pins kube-apiserver and etcd, and the kustomize install. */
export const e2eModuleDir = join(repoRoot, 'e2e');
/** The running cluster's state, certificates, data and logs (git-ignored, made anew by e2e:up). */
export const stateDir = join(repoRoot, '.e2e');
export const logDir = join(stateDir, 'logs');
/** The admin kubeconfig printed by e2e:up. */
export const adminKubeconfig = join(stateDir, 'kubeconfig');
/** The webhook's kubeconfig: the eci-admission ServiceAccount's token, nothing more. */
export const webhookKubeconfig = join(stateDir, 'webhook.kubeconfig');
export const webhookCertDir = join(stateDir, 'webhook-certs');
/** The kustomize overlay e2e:up applies: deploy/ pointed at the local webhook. */
export const installDir = join(e2eModuleDir, 'install');
/** The built eci-admission command. */
export const cliPath = join(repoRoot, 'dist', 'lib', 'cli.js');
