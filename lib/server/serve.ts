// `eci-admission serve`: certificates, profile and context at the edge, then the TLS listener.
import type { FastifyServerOptions } from 'fastify';
import { policyContext, type ClusterMode } from '../policy/context.js';
import { embeddedProfile, readProfileFile } from '../profile/profile.js';
import { ensureCertDir } from '../tls/cert-dir.js';
import { buildApp, type App } from './app.js';
import { staticContext } from './context-source.js';

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly certDir: string;
  readonly profile?: string;
  readonly clusterMode: ClusterMode;
  readonly logger: FastifyServerOptions['logger'];
}

export interface RunningServer {
  readonly app: App;
  /** `https://host:port` as bound (the real port when 0 was asked for). */
  readonly url: string;
}

export async function serve(options: ServeOptions): Promise<RunningServer> {
  const certificate = await ensureCertDir(options.certDir, new Date());
  const profile = options.profile === undefined ? embeddedProfile : await readProfileFile(options.profile);
  const context = staticContext(policyContext({ clusterMode: options.clusterMode, profile }));
  const app = buildApp({ tls: certificate, context, logger: options.logger });
  app.log.info(
    { certDir: certificate.dir, generated: certificate.generated },
    certificate.generated
      ? `generated a CA and a serving certificate in ${certificate.dir}; trust ca.crt there to call the webhook`
      : `serving the certificate in ${certificate.dir}`,
  );
  app.log.info({ profile: profile.source, clusterMode: options.clusterMode }, `eci-profile source: ${profile.source}`);
  await app.listen({ port: options.port, host: options.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return { app, url: `https://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}` };
}
