// `eci-admission serve` as the install runs it: with the eci-admission ServiceAccount's token and
// deploy/'s RBAC (registration included), never as admin, on the URL of e2e/local-webhooks.
import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { writeKubeconfig } from './control-plane.js';
import { kubectl, kubectlOk } from './kubectl.js';
import { cliPath, installDir, webhookCertDir, webhookKubeconfig } from './paths.js';
import { isRunning, startDetached, stop, waitFor } from './processes.js';
import { readState, requireState, writeState, type WebhookState } from './state.js';

/** The port of the URL e2e/local-webhooks gives the API server: the one place it is written. */
export async function webhookPort(): Promise<number> {
  const rendered = await kubectlOk(['kustomize', installDir]);
  const urls = parseAllDocuments(rendered)
    .map((document) => document.toJS() as { webhooks?: Array<{ clientConfig?: { url?: string } }> } | null)
    .flatMap((object) => object?.webhooks ?? [])
    .map((webhook) => webhook.clientConfig?.url);
  const ports = new Set(urls.map((url) => (url ? Number(new URL(url).port) : undefined)));
  if (ports.size !== 1 || ports.has(undefined))
    throw new Error(`${installDir}: every webhook must have a clientConfig.url on one port`);
  return [...ports][0]!;
}

/** A kubeconfig holding a token of the ServiceAccount deploy/ creates (TokenRequest API). */
export async function writeWebhookKubeconfig(server: string, caCert: string): Promise<void> {
  const token = (await kubectlOk(['-n', 'eci-admission', 'create', 'token', 'eci-admission', '--duration=24h'])).trim();
  writeKubeconfig(webhookKubeconfig, server, caCert, 'system:serviceaccount:eci-admission:eci-admission', token);
}

/** Starts serve and waits until it is ready and the API server calls it. */
export async function startWebhook(args: readonly string[]): Promise<WebhookState> {
  const state = requireState();
  if (state.webhook && isRunning(state.webhook)) throw new Error(`the webhook already runs (pid ${state.webhook.pid})`);
  const port = await webhookPort();
  const started = startDetached(
    'webhook',
    process.execPath,
    [
      cliPath,
      'serve',
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--cert-dir',
      webhookCertDir,
      '--register',
      ...args,
    ],
    { KUBECONFIG: webhookKubeconfig, LOG_LEVEL: process.env.LOG_LEVEL ?? 'info' },
  );
  const webhook: WebhookState = { ...started, marker: cliPath, port, args };
  writeState({ ...state, webhook });
  await waitFor('the webhook /readyz (its first lists from the cluster)', () => readyz(port), 60_000, webhook);
  await untilApiServerCallsWebhook(webhook);
  return webhook;
}

/** After the webhook starts, or its configurations are created again. */
export function untilApiServerCallsWebhook(webhook: WebhookState): Promise<void> {
  return waitFor('the API server to call the webhook', () => apiServerCallsWebhook(webhook.port), 60_000, webhook);
}

export async function stopWebhook(): Promise<void> {
  const state = readState();
  if (state?.webhook) await stop(state.webhook);
}

export async function restartWebhook(args: readonly string[]): Promise<WebhookState> {
  await stopWebhook();
  return startWebhook(args);
}

async function readyz(port: number): Promise<boolean | string> {
  const { status, body } = await webhookGet(port, '/readyz');
  return status === 200 ? true : `${status} ${body}`;
}

/** GET on the webhook, trusting the CA it generated. */
export function webhookGet(port: number, path: string): Promise<{ status: number; body: string }> {
  const ca = readFileSync(join(webhookCertDir, 'ca.crt'));
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, ca }, (res) => {
      let body = '';
      res.on('data', (chunk) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The sum of a counter's series on the webhook's /metrics. */
export async function webhookCounter(port: number, name: string, labelFilter = ''): Promise<number> {
  const { body } = await webhookGet(port, '/metrics');
  return body
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) && line.includes(labelFilter))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/**
 * New webhook configurations and caBundles reach the API server's admission chain a moment after
 * they are written: the webhook is in the path once a pod's dry run reaches it (in every mode).
 */
async function apiServerCallsWebhook(port: number): Promise<boolean | string> {
  const before = await webhookCounter(port, 'eci_admission_requests_total');
  const result = await kubectl([
    'run',
    'e2e-probe',
    '--image=busybox',
    '--restart=Never',
    '--dry-run=server',
    '-o',
    'name',
  ]);
  const after = await webhookCounter(port, 'eci_admission_requests_total');
  return after > before
    ? true
    : `a pod's dry run did not reach the webhook (kubectl exit ${result.code} ${result.stderr.trim()})`;
}
