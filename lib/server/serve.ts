// `eci-admission serve`: certificates, profile and context at the edge, then the TLS listener.
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeConfig } from '@kubernetes/client-node';
import { apiClient } from '../cluster/api-requests.js';
import { ownNamespace } from '../cluster/kubeconfig.js';
import { candidateIdentity, electLeader } from '../cluster/leader-election.js';
import { leaseClient } from '../cluster/leases.js';
import type { FastifyServerOptions } from 'fastify';
import type { WebhookConfigurations } from '../cluster/webhook-configurations.js';
import type { LoadedConfig } from '../config/config-file.js';
import { backgroundScanLease, type ClusterMode, type RoutingFlavour } from '../facts.js';
import { policyContext, type PolicyContext } from '../policy/context.js';
import type { Enforcement } from '../policy/enforcement.js';
import { locationName, profileLocations } from '../profile/locations.js';
import { ProfileError, readProfileFile, type ProfileProblem } from '../profile/profile.js';
import { CertDirError, ensureCertDir } from '../tls/cert-dir.js';
import { noPassYet, type BackgroundScan } from '../scan/background.js';
import { buildApp, type App } from './app.js';
import { manageCertificate } from './certificate-lifecycle.js';
import { followConfig, settingsFields } from './configured-context.js';
import { LiveContext, staticContext, type ContextLog, type ContextSource } from './context-source.js';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly certDir: string;
  /** An eci-profile ConfigMap file; it wins over the cluster. */
  readonly profile?: string;
  /** Where to watch the eci-profile and the namespaces; without it (and a file) the embedded profile. */
  readonly cluster?: KubeConfig;
  readonly clusterMode: ClusterMode;
  readonly routing?: RoutingFlavour;
  readonly enforcement?: Enforcement;
  /**
   * The --config file the three settings above were read from (under the flags), as it was at
   * start: followed, and its changes applied to the next review.
   */
  readonly config?: LoadedConfig;
  /** Keep these webhook configurations' caBundle equal to ca.crt in certDir (`--register`). */
  readonly registration?: { readonly cluster: KubeConfig; readonly configurations: WebhookConfigurations };
  /**
   * Scan the cluster every `intervalMs` and keep its PolicyReports current (`--background-scan`),
   * while this replica holds the background scan's Lease.
   */
  readonly backgroundScan?: { readonly cluster: KubeConfig; readonly intervalMs: number };
  readonly logger: FastifyServerOptions['logger'];
}

export interface RunningServer {
  readonly app: App;
  /** `https://host:port` as bound (the real port when 0 was asked for). */
  readonly url: string;
  /**
   * SIGTERM: unready, each connection closed after its answer (App.beginShutdown). The background
   * scan stops and releases its Lease now, so that another replica scans from its next try rather
   * than after the shutdown delay.
   */
  beginShutdown(): void;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const certificate = await ensureCertDir(options.certDir, new Date());
  if (options.registration && certificate.ca === undefined) {
    throw new CertDirError(`--register publishes ca.crt, and ${certificate.dir} has none`);
  }
  const base = policyContext({
    clusterMode: options.clusterMode,
    ...(options.routing ? { routing: options.routing } : {}),
    ...(options.enforcement ? { enforcement: options.enforcement } : {}),
  });
  const fromFile = options.profile === undefined ? undefined : await readProfileFile(options.profile, base.schemas);
  const log: ContextLog = {
    info: (fields, message) => app.log.info(fields, message),
    warn: (fields, message) => app.log.warn(fields, message),
  };
  const live = fromFile === undefined && options.cluster ? new LiveContext(base, log) : undefined;
  const source: ContextSource =
    live ?? staticContext(fromFile ? { ...base, profile: profileOf(fromFile, options.profile!) } : base);
  const { config } = options;
  const configured = config === undefined ? undefined : { config, ...followConfig(source, config, log) };
  const context = configured?.context ?? source;
  let scan: BackgroundScan | undefined;
  const app = buildApp({
    tls: certificate,
    context,
    logger: options.logger,
    ...(options.backgroundScan ? { backgroundScan: () => scan?.status() ?? noPassYet } : {}),
  });
  if (configured) {
    app.addHook('onClose', async () => configured.following.close());
    const { path } = configured.config.file;
    app.log.info(
      { config: path, settings: settingsFields(configured.config.settings) },
      `settings from ${path} (followed for changes)`,
    );
  }
  app.log.info(
    { certDir: certificate.dir, generated: certificate.generated },
    certificate.generated
      ? `generated a CA and a serving certificate in ${certificate.dir}; trust ca.crt there to call the webhook`
      : `serving the certificate in ${certificate.dir}`,
  );
  for (const problem of fromFile?.problems ?? []) app.log.warn(problem, 'eci-profile');
  if (live && options.cluster) {
    app.log.info(
      { server: options.cluster.getCurrentCluster()?.server },
      `eci-profile source: cluster ${profileLocations.map(locationName).join(' or ')} (watching)`,
    );
    // The cluster modules load client-node (most of a second): only a server with a cluster pays.
    const { watchCluster } = await import('../cluster/watch.js');
    const watch = watchCluster(options.cluster, live);
    app.addHook('onClose', () => watch.stop());
  } else {
    app.log.info({ clusterMode: options.clusterMode }, `eci-profile source: ${context.current().profile.source}`);
  }
  const { registration } = options;
  const lifecycle = manageCertificate({
    dir: certificate.dir,
    initial: certificate,
    use: (pair) => app.useCertificate(pair),
    log,
    now: () => new Date(),
    ...(registration
      ? {
          register: async (caBundle: string) =>
            (await import('../cluster/register.js')).registerWebhooks(
              registration.cluster,
              caBundle,
              registration.configurations,
            ),
        }
      : {}),
  });
  app.addHook('onClose', async () => lifecycle.close());
  // Started before listening, as the hooks must be: its first list waits a page delay and the context.
  if (options.backgroundScan) scan = await startScan(options.backgroundScan, context, log, app);
  try {
    // Fastify logs the line itself, once per address it listens on (each interface's for 0.0.0.0).
    await app.listen({ port: options.port, host: options.host, listenTextResolver: listeningLine });
  } catch (error) {
    // A port in use: stop the watchers started above, so the command can exit with the reason.
    await app.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    app,
    url: `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    beginShutdown: () => {
      app.beginShutdown();
      void scan?.stop();
    },
  };
}

function listeningLine(address: string): string {
  return `eci-admission listening on ${address}`;
}

/** A light pace: a list of 100 objects every quarter second at most. */
const pageDelayMs = 250;

async function startScan(
  { cluster, intervalMs }: NonNullable<ServeOptions['backgroundScan']>,
  context: ContextSource,
  log: ContextLog,
  app: App,
): Promise<BackgroundScan> {
  const { startBackgroundScan } = await import('../scan/background.js');
  const { clusterPass } = await import('../scan/cluster-pass.js');
  const lease = leaseClient(apiClient(cluster), { namespace: ownNamespace(), name: backgroundScanLease });
  const identity = candidateIdentity();
  const election = electLeader({ leases: lease, identity, log, now: Date.now, sleep: abortableSleep });
  const scan = startBackgroundScan({
    intervalMs,
    pageDelayMs,
    pass: clusterPass(
      cluster,
      () => context.current(),
      () => new Date(),
    ),
    ready: () => context.ready(),
    leading: election.leading,
    log,
    now: Date.now,
  });
  // At SIGTERM or at close, whichever comes first. The scan stops first, so that no pass writes
  // once the Lease is released to another replica.
  let stopped: Promise<void> | undefined;
  const stop = () => (stopped ??= scan.stop().then(() => election.stop()));
  app.addHook('onClose', stop);
  app.log.info(
    { intervalSeconds: intervalMs / 1000, lease: lease.name, identity },
    `background scan: every namespace, PolicyReports written, by the replica holding the Lease ${lease.name}`,
  );
  return { status: scan.status, stop };
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal });
}

function profileOf(
  parsed: { profile?: PolicyContext['profile']; problems: readonly ProfileProblem[] },
  path: string,
): PolicyContext['profile'] {
  if (parsed.profile) return parsed.profile;
  const reasons = parsed.problems.filter((p) => p.severity === 'deny').map((p) => `${p.path}: ${p.message}`);
  throw new ProfileError(`${path} is not a valid eci-profile: ${reasons.join('; ')}`);
}
