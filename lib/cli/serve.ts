// `eci-admission serve`.
import { destination } from 'pino';
import { readWebhookConfigurations } from '../cluster/webhook-configurations.js';
import { oneOf } from '../config/settings.js';
import { shutdown } from '../facts.js';
import type { RunningServer } from '../server/serve.js';
import { logFormats, textLog, type LogFormat } from '../server/text-log.js';
import { optionalCluster, requiredCluster } from './cluster.js';
import { commandSettings, contextFlags, durationMsOf, portOf, requesterFlags, verdictFlags } from './flags.js';
import { parseFlags, printUsage, UsageError } from './usage.js';

export async function runServe(args: string[]): Promise<number> {
  const { values } = parseFlags('serve', {
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
      'shutdown-delay': { type: 'string' },
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
  const delayMs = shutdownDelayOf(values['shutdown-delay']);
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
  const stop = (signal: NodeJS.Signals) => {
    // Once: a second signal takes Node's default and ends the process at once (a second Ctrl-C).
    for (const each of stopSignals) process.removeListener(each, stop);
    running.beginShutdown();
    running.app.log.info(
      `${signal}: not ready; answering for ${delayMs / 1000} s more, each connection closed after its answer`,
    );
    setTimeout(() => close(running), delayMs);
  };
  for (const signal of stopSignals) process.on(signal, stop);
  return new Promise<number>(() => {});
}

const stopSignals = ['SIGTERM', 'SIGINT'] as const;

/**
 * The listener closes, and so do the idle connections; requests in flight are answered, then their
 * sockets close. Past the drain time whatever is left is cut, before the kubelet's SIGKILL would.
 */
function close(running: RunningServer): void {
  running.app.log.info('closing: no new connections; the requests in flight are answered');
  setTimeout(() => {
    running.app.log.warn(`still closing after ${shutdown.drainMs / 1000} s: exiting`);
    process.exit(1);
  }, shutdown.drainMs).unref();
  void running.app.close().then(() => process.exit(0));
}

function scanIntervalOf(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const intervalMs = durationMsOf(value);
  // 0s would scan without pause.
  if (!intervalMs) throw new UsageError(`--background-scan: not an interval such as 30s, 10m or 1h: ${value}`);
  return intervalMs;
}

function shutdownDelayOf(value: string | undefined): number {
  if (value === undefined) return shutdown.delayMs;
  const delayMs = durationMsOf(value);
  if (delayMs === undefined) throw new UsageError(`--shutdown-delay: not a duration such as 10s, 0s or 1m: ${value}`);
  return delayMs;
}

function logStream(format: LogFormat) {
  const stdout = destination({ dest: 1, sync: false });
  return format === 'json' ? stdout : textLog(stdout);
}
