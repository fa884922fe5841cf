// The command's help text and the error every command throws for a mistake in its flags.
import { outputs, scanOutputs } from '../check/report/report.js';
import { webhookConfigurationsFile } from '../cluster/webhook-configurations.js';
import { clusterModes } from '../policy/context.js';
import { modes } from '../policy/enforcement.js';
import { routingFlavours } from '../policy/routing.js';

/** Each command's help: its line of the overview, then its flags. */
const sections: Readonly<Record<string, string>> = {
  serve: `  serve   run the admission webhook over TLS
          --port 8443  --host 0.0.0.0  --cert-dir .local/certs  --profile FILE
          --config FILE  YAML with the settings below, keyed by the flags in camelCase
          (schemas/config.schema.json); a flag given wins over its key; the file
          is reloaded when it changes, and a broken one keeps the last good settings
          --cluster-mode ${clusterModes.join('|')} (default serverless)
          --routing ${routingFlavours.join('|')} (default ack-virtual-node)
          --mode ${modes.join('|')} (default enforce; a namespace label eci-admission/mode overrides)
          --exempt-namespace NS, --exempt-user NAME, --exempt-group NAME,
          --exempt-service-account NS/NAME (repeatable; kube-system and eci-admission are exempt)
          --allow-opt-out (honour the object annotation eci-admission/exempt: "true")
          --disable-rule ID, --warn-rule ID (repeatable)
          --register  keep the webhook configurations' caBundle equal to ca.crt
          Without --profile, a cluster found through the service account or
          KUBECONFIG is watched for kube-system/eci-profile and namespace labels.`,
  check: `  check   judge manifests offline, as the webhook would (exit 0 admitted, 1 denied, 2 bad input)
          -f PATH (file, folder or - for stdin; repeatable)  --profile FILE
          --config FILE (as for serve; a flag given wins over its key)
          --cluster-mode ${clusterModes.join('|')}  --routing ${routingFlavours.join('|')}
          --namespace-labels NS=KEY=VALUE[,KEY=VALUE] (repeatable)
          --output ${outputs.join('|')} (default text)  --strict (warnings fail too)
          --mode, --exempt-namespace, --allow-opt-out, --disable-rule, --warn-rule as for serve`,
  explain: `  explain for each pod or pod template: selectors matched, what is injected, ECI routing,
          findings; the flags of check but --output, --strict and the verdict flags`,
  scan: `  scan    judge what already runs in a cluster, as the webhook would judge it on creation
          (exit 0 nothing would be denied, 1 something would, 2 the scan failed)
          --kubeconfig FILE  --context NAME  -n NS | -A (default the context's namespace)
          -l SELECTOR  --page-size 500  --profile FILE (default the cluster's)
          --output ${scanOutputs.join('|')} (default text)  --strict
          --apply-reports  write a PolicyReport per namespace, delete stale ones
          --config, --cluster-mode, --routing and the verdict flags as for check`,
  certs: `  certs   issue a CA and a serving certificate for the webhook's Service
          --out certs  --service eci-admission  --namespace eci-admission  --days 825
          --secret     also write secret.yaml, the kubernetes.io/tls Secret <service>-tls
          --ca-bundle  also write ca-bundle.txt, the caBundle of the webhooks
          Files that exist are never overwritten.`,
  register: `  register  create the webhook configurations, or set their caBundle to
          ca.crt, in the cluster found through KUBECONFIG or the service account
          --cert-dir certs  --configurations ${webhookConfigurationsFile}`,
  policies: `  policies  the rules as ValidatingAdmissionPolicies and their bindings (YAML on stdout,
          or --out DIR with a kustomization), and what they do not cover
          --mode ${modes.join('|')} (Deny, Warn or Audit)  --cluster-mode ${clusterModes.join('|')}
          --rule ID (repeatable; default every rule with a policy)  --out DIR
          --mutating  also virtual-node routing as a MutatingAdmissionPolicy (beta)
          --routing ${routingFlavours.join('|')} (default ack-virtual-node)`,
};

const usage = `Usage: eci-admission <command> [flags]

Commands:
${Object.values(sections).join('\n')}
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
