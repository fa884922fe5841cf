// `eci-admission scan`: the cluster's objects judged, reported, and with `--apply-reports` the
// PolicyReports written back. The CLI maps the report to an exit code as `check` does.
import type { KubeConfig } from '@kubernetes/client-node';
import { apiClient } from '../cluster/api-requests.js';
import { clusterReader } from '../cluster/cluster-reader.js';
import { writePolicyReports } from '../cluster/policy-report-writer.js';
import type { Terminal } from '../check/command.js';
import { render } from '../check/report/render.js';
import { exitCode, type Report, type ScanOutput } from '../check/report/report.js';
import { loadWebhookRouting } from '../check/webhook-routing.js';
import type { PolicyContext } from '../policy/context.js';
import { scanCluster, type ScanScope } from './scan.js';
import { scanTextReport } from './text-report.js';

export interface ScanOptions {
  readonly config: KubeConfig;
  readonly scope: ScanScope;
  readonly context: PolicyContext;
  readonly profileGiven: boolean;
  readonly output: ScanOutput;
  readonly strict: boolean;
  readonly applyReports: boolean;
  readonly now: Date;
}

export async function runScan(options: ScanOptions, terminal: Terminal): Promise<number> {
  const progress = terminal.stderr.isTTY ? progressLine(terminal.stderr) : undefined;
  const report = await scanCluster({
    reader: clusterReader(options.config),
    scope: options.scope,
    context: options.context,
    profileGiven: options.profileGiven,
    routing: loadWebhookRouting(),
    strict: options.strict,
    ...(progress ? { progress } : {}),
  });
  if (progress) terminal.stderr.write('\r\u001b[K');
  terminal.stdout.write(await rendered(report, options));
  if (options.applyReports) {
    const { policyReportObjects } = await import('../check/report/policy-report.js');
    const written = await writePolicyReports(
      apiClient(options.config),
      policyReportObjects(report, options.now),
      options.scope,
    );
    terminal.stderr.write(`policy reports: ${written.applied} applied, ${written.deleted} stale deleted\n`);
  }
  return exitCode(report);
}

function rendered(report: Report, options: ScanOptions): Promise<string> | string {
  return options.output === 'text'
    ? scanTextReport(report)
    : render(report, options.output, { colour: false, now: options.now });
}

/** `scanned 1500 objects (pods)`, rewritten in place: a large cluster takes a while. */
function progressLine(stream: NodeJS.WritableStream): (scanned: number, resource: string) => void {
  return (scanned, resource) => stream.write(`\r\u001b[Kscanned ${scanned} objects (${resource})`);
}
