// `eci-admission scan`: flags to options; the cluster is found as kubectl finds it.
import { scanOutputs } from '../check/report/report.js';
import { oneOf } from '../config/settings.js';
import { policyContext } from '../policy/context.js';
import { readProfileFile } from '../profile/profile.js';
import { timeOfRun } from './check.js';
import { noCluster } from './cluster.js';
import { commandSettings, contextFlags, verdictFlags } from './flags.js';
import { parseFlags, printUsage, UsageError } from './usage.js';

/** kubectl's chunk size: pages of 500 objects. */
const defaultPageSize = 500;

const scanFlags = {
  kubeconfig: { type: 'string' },
  context: { type: 'string' },
  namespace: { type: 'string', short: 'n' },
  'all-namespaces': { type: 'boolean', short: 'A' },
  selector: { type: 'string', short: 'l' },
  'page-size': { type: 'string' },
  profile: { type: 'string' },
  ...contextFlags,
  ...verdictFlags,
  output: { type: 'string', short: 'o', default: 'text' },
  strict: { type: 'boolean', default: false },
  'apply-reports': { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function runScanCommand(args: string[]): Promise<number> {
  const { values } = parseFlags('scan', { args, strict: true, options: scanFlags });
  if (values.help) return printUsage(0, 'scan');
  const output = oneOf('--output', values.output, scanOutputs);
  if (values.namespace !== undefined && values['all-namespaces'])
    throw new UsageError('--namespace and --all-namespaces exclude each other');
  if (values['apply-reports'] && values.selector !== undefined) {
    throw new UsageError('--apply-reports with --selector would replace each report with a part of its results');
  }
  const pageSize = pageSizeOf(values['page-size']);
  const { settings } = await commandSettings(values);
  const { loadKubeConfig, contextNamespace } = await import('../cluster/kubeconfig.js');
  const config = await loadKubeConfig({
    ...(values.kubeconfig === undefined ? {} : { file: values.kubeconfig }),
    ...(values.context === undefined ? {} : { context: values.context }),
  });
  if (config === undefined) throw noCluster('scan', 'pass --kubeconfig, set KUBECONFIG or write ~/.kube/config');
  const namespace = values['all-namespaces'] ? undefined : (values.namespace ?? contextNamespace(config));
  const base = policyContext({
    clusterMode: settings.clusterMode,
    routing: settings.routing,
    enforcement: settings.enforcement,
  });
  const context =
    values.profile === undefined ? base : { ...base, profile: await profileFrom(values.profile, base.schemas) };
  const options = {
    config,
    scope: {
      ...(namespace === undefined ? {} : { namespace }),
      ...(values.selector === undefined ? {} : { labelSelector: values.selector }),
      pageSize,
    },
    context,
    profileGiven: values.profile !== undefined,
    output,
    strict: values.strict,
    applyReports: values['apply-reports'],
    now: timeOfRun(),
  };
  const { runScan } = await import('../scan/command.js');
  return runScan(options, process);
}

function pageSizeOf(value: string | undefined): number {
  if (value === undefined) return defaultPageSize;
  const size = Number(value);
  if (!Number.isInteger(size) || size < 1) throw new UsageError(`--page-size: not a positive whole number: ${value}`);
  return size;
}

async function profileFrom(file: string, schemas: Parameters<typeof readProfileFile>[1]) {
  const parsed = await readProfileFile(file, schemas);
  if (parsed.profile) return parsed.profile;
  const reason = parsed.problems.find((problem) => problem.severity === 'deny');
  throw new UsageError(`--profile ${file}: ${reason ? `${reason.path}: ${reason.message}` : 'refused'}`);
}
