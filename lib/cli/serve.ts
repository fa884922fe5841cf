// `eci-admission serve`.
import { parseArgs } from 'node:util';
import { destination } from 'pino';
import { readWebhookConfigurations } from '../cluster/webhook-configurations.js';
import { oneOf } from '../config/settings.js';
import { intervalMsOf } from '../scan/background.js';
import { logFormats, textLog, type LogFormat } from '../server/text-log.js';
import { optionalCluster, requiredCluster } from './cluster.js';
import { commandSettings, contextFlags, portOf, requesterFlags, verdictFlags } from './flags.js';
import { printUsage, UsageError } from './usage.js';

/** Under the 30 s terminationGracePeriodSeconds a pod gets by default. */
const shutdownGraceMs = 25_000;

export async function runServe(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      port: { type: 'string', default: '8443' },
      // Loopback for a local run (`npm start`); the Deployment passes --host=0.0.0.0.
      host: { type: 'string', default: '127.0.0.1' },
      'log-format': { type: 'string' },
      // Not certs/, where `certs` writes an install's set: a local run must not fill that folder.
      'cert-dir': { type: 'string', default: '.local/certs' },
      profile: { type: 'string' },
      register: { type: 'boolean', default: false },
      'background-scan': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
      ...contextFlags,
      ...verdictFlags,
      ...requesterFlags,
    },
  });
  if (values.help) return printUsage(0, 'serve');
  // Flags (and the config file) are checked before the server and client-node are loaded: a
  // typo answers at once.
  const port = portOf(values.port);
  // Readable at a terminal; JSON lines wherever a collector reads them (the Deployment says so too).
  const logFormat = oneOf('--log-format', values['log-format'] ?? (process.stdout.isTTY ? 'text' : 'json'), logFormats);
  const scanInterval = scanIntervalOf(values['background-scan']);
  const { settings, config } = await commandSettings(values);
  const options = {
    port,
    host: values.host,
    certDir: values['cert-dir'],
    ...(values.profile === undefined ? {} : { profile: values.profile }),
    ...settings,
    ...(config ? { config } : {}),
    ...(values.profile === undefined ? await optionalCluster() : {}),
    ...(values.register
      ? { registration: { cluster: await requiredCluster('--register'), configurations: readWebhookConfigurations() } }
      : {}),
    ...(scanInterval === undefined
      ? {}
      : { backgroundScan: { cluster: await requiredCluster('--background-scan'), intervalMs: scanInterval } }),
    // Asynchronous writes: a line per review must not cost a write(2) each on the request path.
    // Lines are written as soon as the previous write completes (no buffering threshold, so a
    // quiet webhook's log is current), and pino flushes what is pending when the process exits.
    logger: { level: process.env.LOG_LEVEL ?? 'info', stream: logStream(logFormat) },
  };
  const { serve } = await import('../server/serve.js');
  const running = await serve(options);
  running.app.log.info(`eci-admission listening on ${running.url}`);
  const stop = (signal: string) => {
    running.app.log.info(`${signal}: closing`);
    // The listener closes at once; requests already read are answered, then the sockets close.
    // Past the grace period whatever is left is cut, before the kubelet's SIGKILL would.
    setTimeout(() => {
      running.app.log.warn(`still closing after ${shutdownGraceMs / 1000} s: exiting`);
      process.exit(1);
    }, shutdownGraceMs).unref();
    void running.app.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));
  return new Promise<number>(() => {});
}

function scanIntervalOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const intervalMs = intervalMsOf(value);
  if (intervalMs === undefined)
    throw new UsageError(`--background-scan: not an interval such as 30s, 10m or 1h: ${value}`);
  return intervalMs;
}

function logStream(format: LogFormat) {
  const stdout = destination({ dest: 1, sync: false });
  return format === 'json' ? stdout : textLog(stdout);
}
