// The command's help text and the error every command throws for a mistake in its flags.
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

/** Flags several commands take, each said once; every line is indented by `flagLines`. */
const paths = `PATH ... or -f, --filename PATH (repeatable): a file, a folder or - for stdin
--profile FILE  an eci-profile ConfigMap in YAML (default: the embedded profile)
--namespace-labels NS=KEY=VALUE[,KEY=VALUE] (repeatable): labels of a namespace
  the input does not describe`;
const settings = `--config FILE  the settings file of serve, keyed by its flags in camelCase
  (schemas/config.schema.json); a flag given wins over its key
--cluster-mode ${clusterModes.join('|')} (default ${defaults.clusterMode})
--routing ${routingFlavours.join('|')} (default ${defaults.routing})`;
const verdicts = `--mode ${modes.join('|')} (default ${defaults.mode}; a namespace label eci-admission/mode overrides):
  warn admits what enforce denies, with warnings; audit admits it and only records the findings
--exempt-namespace NS (repeatable; ${defaultExemptNamespaces.join(' and ')} are exempt)
--allow-opt-out (honour the object annotation eci-admission/exempt: "true")
--disable-rule ID, --warn-rule ID (repeatable): switch a rule off, or make it warn only`;

/** Flag lines as the help prints them, under the command's name. */
function flagLines(...blocks: string[]): string {
  return blocks.join('\n').replace(/^/gm, '          ');
}

/** Each command's help: its line of the overview, then the rest of its help. */
const sections: Readonly<Record<string, string>> = {
  serve: `  serve   run the admission webhook over TLS
${flagLines(
  `--port 8443  --host 127.0.0.1 (0.0.0.0: every interface, as the Deployment runs it)
--cert-dir .local/certs  --profile FILE
--log-format ${logFormats.join('|')} (default text on a terminal, else json: JSON lines, as in the cluster)
--register  keep the webhook configurations' caBundle equal to ca.crt
--background-scan INTERVAL  every INTERVAL (30s, 10m, 1h), scan every namespace as scan -A
  --apply-reports does, a page of 100 at a time, on the one replica holding the Lease
  ${backgroundScanLease} in its namespace (RBAC: deploy/background-scan)
--shutdown-delay ${shutdown.delayMs / 1000}s  on SIGTERM or SIGINT, answer this long more (0s: close at once), with
  /readyz 503 and each connection closed after its answer; then answer what is in flight and exit`,
  settings,
  verdicts,
  `--exempt-user NAME, --exempt-group NAME, --exempt-service-account NS/NAME (repeatable)
The --config file is reloaded when it changes; a broken one keeps the last good settings.
Without --profile, a cluster found through the service account or
KUBECONFIG is watched for kube-system/eci-profile and namespace labels.`,
)}`,
  check: `  check   judge manifests offline, as the webhook would
${flagLines(
  paths,
  settings,
  verdicts,
  `--output, -o ${outputs.join('|')}
  (default text, coloured on a terminal unless NO_COLOR is set)
--strict  warnings fail too: each is an error and its object denied (with --mode warn, what
  enforce would deny fails again, and so does every other warning)
Exit 0 when all are admitted, 1 when any is denied, 2 on bad input or usage.`,
)}`,
  explain: `  explain for each pod or pod template: selectors matched, what is injected, ECI routing, findings
${flagLines(paths, settings, 'Exit 0 when every input was read, whatever the findings; 2 on bad input or usage.')}`,
  scan: `  scan    judge what already runs in a cluster, as the webhook would judge it on creation
${flagLines(
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
)}`,
  certs: `  certs   issue a CA and a serving certificate for the webhook's Service
          --out certs  --service eci-admission  --namespace eci-admission  --days ${servingCertificateDays}
          --secret     also write secret.yaml, the kubernetes.io/tls Secret <service>-tls
          --ca-bundle  also write ca-bundle.txt, the caBundle of the webhooks
          Files that exist are never overwritten.`,
  register: `  register  create the webhook configurations, or set their caBundle to ca.crt, in the cluster
          found through KUBECONFIG or the service account
          --cert-dir certs  --configurations ${webhookConfigurationsFile}`,
  policies: `  policies  the rules as ValidatingAdmissionPolicies and their bindings, and what they do not cover
          YAML on stdout, or --out DIR with a kustomization
          --mode ${modes.join('|')} (Deny, Warn or Audit)  --cluster-mode ${clusterModes.join('|')}
          --rule ID (repeatable; default every rule with a policy)  --out DIR
          --mutating  also virtual-node routing as a MutatingAdmissionPolicy (beta)
          --routing ${routingFlavours.join('|')} (default ack-virtual-node)`,
};

const usage = `Usage: eci-admission <command> [flags]

Commands:
${Object.values(sections)
  .map((section) => section.split('\n')[0])
  .join('\n')}
  version print the version

Run 'eci-admission <command> --help' for details.`;

export class UsageError extends Error {
  override name = 'UsageError';
}

/** The overview, or with a command the help of that command alone. */
export function printUsage(code: number, command?: string): number {
  const text = command === undefined ? usage : `Usage: eci-admission ${command} [flags]\n\n${sections[command] ?? ''}`;
  (code === 0 ? process.stdout : process.stderr).write(`${text}\n`);
  return code;
}
