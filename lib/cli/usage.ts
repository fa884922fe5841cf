// The command's help text, reading a command's flags, and the error every command throws for a
// mistake in them.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { outputs, scanOutputs } from '../check/report/report.js';
import { webhookConfigurationsFile } from '../cluster/webhook-configurations.js';
import {
  backgroundScanLease,
  clusterModes,
  defaultExemptNamespaces,
  defaults,
  modes,
  routingFlavours,
  servingCertificateDays,
  shutdown,
} from '../facts.js';
import { logFormats } from '../server/text-log.js';

/** Flags several commands take, each said once. */
const paths = `PATH ... or -f, --filename PATH (repeatable): a file, a folder or - for stdin
-k, --kustomize DIR  the kustomization in DIR, rendered as kubectl apply -k renders it (by kubectl
  kustomize: kubectl must be on PATH); instead of PATHs
-n, --namespace NS  the namespace of objects that name none (default: default); an object naming
  another is refused, as kubectl refuses it
--profile FILE  an eci-profile ConfigMap in YAML (default: the embedded profile)
--namespace-labels NS=KEY=VALUE[,KEY=VALUE] (repeatable): labels of a namespace
  the input does not describe`;
const settings = `--config FILE  the settings file of serve (YAML), keyed by its flags in camelCase;
  a flag given wins over its key
--cluster-mode ${clusterModes.join('|')} (default ${defaults.clusterMode})
--routing ${routingFlavours.join('|')} (default ${defaults.routing})`;
const verdicts = `--mode ${modes.join('|')} (default ${defaults.mode}; a namespace label eci-admission/mode overrides):
  warn admits what enforce denies, with warnings; audit admits it and only records the findings
--exempt-namespace NS (repeatable; ${defaultExemptNamespaces.join(' and ')} are exempt)
--allow-opt-out (honour the object annotation eci-admission/exempt: "true")
--disable-rule ID, --warn-rule ID (repeatable): switch a rule off, or make it warn only`;

/** A command's line of the overview, and the rest of its help: blocks of lines under the summary. */
interface Section {
  readonly summary: string;
  readonly details: readonly string[];
}

const sections: Readonly<Record<string, Section>> = {
  serve: {
    summary: 'run the admission webhook over TLS',
    details: [
      `--port 8443  --host 127.0.0.1 (0.0.0.0: every interface, as the Deployment runs it)
--cert-dir .local/certs  --profile FILE
--log-format ${logFormats.join('|')} (default text on a terminal, else json: JSON lines, as in the cluster)
--register  keep the webhook configurations' caBundle equal to ca.crt
--background-scan INTERVAL  every INTERVAL (30s, 10m, 1h), scan every namespace as scan -A
  --apply-reports does, a page of 100 at a time, on the one replica holding the Lease
  ${backgroundScanLease} in its namespace (its RBAC: list what it judges, write PolicyReports, the Lease)
--shutdown-delay ${shutdown.delayMs / 1000}s  on SIGTERM or SIGINT, answer this long more (0s: close at once), with
  /readyz 503 and each connection closed after its answer; then answer what is in flight and exit`,
      settings,
      verdicts,
      `--exempt-user NAME, --exempt-group NAME, --exempt-service-account NS/NAME (repeatable)
The --config file is reloaded when it changes; a broken one keeps the last good settings.
Without --profile, a cluster found through the service account or
KUBECONFIG is watched for kube-system/eci-profile and namespace labels.`,
    ],
  },
  check: {
    summary: 'judge manifests offline, as the webhook would',
    details: [
      paths,
      settings,
      verdicts,
      `--output, -o ${outputs.join('|')}
  (default text, coloured on a terminal unless NO_COLOR is set)
--strict  warnings fail too: each is an error and its object denied (with --mode warn, what
  enforce would deny fails again, and so does every other warning)
--allow-empty  input without objects is no failure (by default it is, as for kubectl apply)
Exit 0 when all are admitted, 1 when any is denied, 2 on bad input or usage.`,
    ],
  },
  explain: {
    summary: 'for each pod or pod template: selectors matched, what is injected, ECI routing, findings',
    details: [paths, settings, 'Exit 0 when every input was read, whatever the findings; 2 on bad input or usage.'],
  },
  scan: {
    summary: 'judge what already runs in a cluster, as the webhook would judge it on creation',
    details: [
      `--kubeconfig FILE  --context NAME  -n, --namespace NS | -A, --all-namespaces
  (default: the context's namespace)
-l, --selector SELECTOR  --page-size 500 (objects per list request)
--profile FILE (default: the cluster's acs-profile or eci-profile)`,
      settings,
      verdicts,
      `--output, -o ${scanOutputs.join('|')} (default text)
--strict  warnings fail too
--apply-reports  write a PolicyReport per namespace (and a ClusterPolicyReport with -A),
  deleting the stale ones eci-admission wrote before
Exit 0 when nothing would be denied, 1 when something would, 2 when the scan failed.`,
    ],
  },
  certs: {
    summary: "issue a CA and a serving certificate for the webhook's Service",
    details: [
      `--out certs  --service eci-admission  --namespace eci-admission
--days ${servingCertificateDays}  the serving certificate's lifetime (the CA's is twice that); no more, as Apple's
  platforms refuse a TLS server certificate valid for longer (https://support.apple.com/en-us/103769)
--secret     also write secret.yaml, the kubernetes.io/tls Secret <service>-tls
--ca-bundle  also write ca-bundle.txt, the caBundle of the webhooks
Files that exist are never overwritten.`,
    ],
  },
  register: {
    summary: 'create the webhook configurations, or set their caBundle to ca.crt, in the cluster',
    details: [
      `found through KUBECONFIG or the service account
--cert-dir certs  --configurations ${webhookConfigurationsFile}`,
    ],
  },
  policies: {
    summary: 'the rules as ValidatingAdmissionPolicies and their bindings, and what they do not cover',
    details: [
      `YAML on stdout, or --out DIR with a kustomization (files that exist are never overwritten)
--mode ${modes.join('|')} (Deny, Warn or Audit)  --cluster-mode ${clusterModes.join('|')}
--rule ID (repeatable; default every rule with a policy)  --out DIR
--mutating  also virtual-node routing as a MutatingAdmissionPolicy (beta)
--routing ${routingFlavours.join('|')} (default ack-virtual-node)`,
    ],
  },
  version: { summary: 'print the version (also eci-admission --version)', details: [] },
};

/** The commands' names in one column, their summaries in the next. */
const nameWidth = Math.max(...Object.keys(sections).map((name) => name.length));
const detailIndent = ' '.repeat(2 + nameWidth + 2);

function summaryLine(name: string, section: Section): string {
  return `  ${name.padEnd(nameWidth)}  ${section.summary}`;
}

function helpOf(name: string, section: Section): string {
  const details = section.details.join('\n').replace(/^(?=.)/gm, detailIndent);
  return [summaryLine(name, section), ...(details ? [details] : [])].join('\n');
}

const usage = `Usage: eci-admission <command> [flags]

Commands:
${Object.entries(sections)
  .map(([name, section]) => summaryLine(name, section))
  .join('\n')}

Run 'eci-admission <command> --help' for details.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The overview, or with a command the help of that command alone. */
export function printUsage(code: number, command?: string): number {
  const section = command === undefined ? undefined : sections[command];
  const text =
    command === undefined || section === undefined
      ? usage
      : `Usage: eci-admission ${command} [flags]\n\n${helpOf(command, section)}`;
  (code === 0 ? process.stdout : process.stderr).write(`${text}\n`);
  return code;
}

/** The one line for a command line that cannot be read: what is wrong, and where the help is. */
export function helpHint(command: string | undefined, problem: string): string {
  return `${problem}; see 'eci-admission ${command === undefined ? '' : `${command} `}--help'`;
}

/**
 * The command's flags as parseArgs reads them, its mistakes said in one line of our own: its
 * errors name the flag inside a sentence about positional arguments.
 */
export function parseFlags<T extends ParseArgsConfig>(command: string, config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError(helpHint(command, problemOf(error as Error & { code?: string })));
  }
}

function problemOf(error: Error & { code?: string }): string {
  const quoted = /'([^']*)'/.exec(error.message)?.[1] ?? '';
  // `-f, --filename <value>`: the long name, as the help writes it.
  const flag = /--[^\s,<]+/.exec(quoted)?.[0] ?? quoted;
  switch (error.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown flag ${flag}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${quoted}: the command takes flags only`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return error.message.includes('does not take an argument') ? `${flag} takes no value` : `${flag} needs a value`;
    default:
      return error.message.split('\n')[0] ?? error.message;
  }
}
