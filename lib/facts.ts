// What the project decides once and every other module imports: the settings' values and
// defaults, the namespaces never judged, the serving certificate's lifetime, serve's shutdown
// times, the webhook paths, the background scan's Lease and where the package's own files are.
// ECI's facts are in lib/eci/, the routing's in lib/policy/routing.ts; this module imports nothing
// of the project, so anything may import it.
import { fileURLToPath } from 'node:url';

/**
 * `serverless`: every pod runs on ECI (ASK, ACS), so every workload is checked.
 * `hybrid`: real and virtual nodes side by side (ACK + virtual nodes, ACK One); only
 * ECI-bound workloads are checked.
 */
export const clusterModes = ['serverless', 'hybrid'] as const;
export type ClusterMode = (typeof clusterModes)[number];

/** enforce denies; warn allows with the findings as warnings; audit allows silently and records. */
export const modes = ['enforce', 'warn', 'audit'] as const;
export type Mode = (typeof modes)[number];

/** The kinds of virtual node ECI-bound pods are routed to (their selectors: lib/policy/routing.ts). */
export const routingFlavours = ['ack-virtual-node', 'eci-vnode'] as const;
export type RoutingFlavour = (typeof routingFlavours)[number];

/** What a setting left out means, for serve, check, policies and the --config file alike. */
export const defaults = {
  clusterMode: 'serverless',
  routing: 'ack-virtual-node',
  mode: 'enforce',
} as const satisfies { clusterMode: ClusterMode; routing: RoutingFlavour; mode: Mode };

/** The name the project signs with: reports' tool, field manager, labels of what it writes. */
export const projectName = 'eci-admission';

/** Where deploy/ installs the webhook: its Service, in a namespace of the same name. */
export const webhookService = { name: projectName, namespace: projectName } as const;

/** The system's namespace and the webhook's own are never judged: neither may be blocked by it. */
export const defaultExemptNamespaces: readonly string[] = ['kube-system', webhookService.namespace];

export const dayMs = 24 * 60 * 60 * 1000;

/**
 * A serving certificate's lifetime, in days: `serve`'s self-issued set and `certs` unless `--days`
 * asks for fewer, never for more. Apple's platforms (iOS 13 and macOS 10.15 on) refuse a TLS
 * server certificate valid for more than 825 days, whatever CA signed it, so a longer one fails
 * every client there, curl on a Mac calling the webhook included: "Requirements for trusted
 * certificates in iOS 13 and macOS 10.15", https://support.apple.com/en-us/103769. (The 398 days
 * Apple has required since September 2020 are for certificates of the CAs it ships, not a private
 * CA's.)
 */
export const servingCertificateDays = 825;

/**
 * serve after SIGTERM: `delayMs` unready but answering, each connection closed after its answer
 * (`--shutdown-delay`; Gatekeeper's default too), so the endpoints and the API server's pooled
 * connections move to the other replicas; then at most `drainMs` to answer what is in flight.
 * deploy/deployment.yaml's grace period covers both (test/deploy.test.ts).
 */
export const shutdown = { delayMs: 10_000, drainMs: 25_000 } as const;

/** The paths the API server posts reviews to; deploy/webhook-configurations.yaml names the same. */
export const webhookPaths = { mutate: '/mutate', validate: '/validate' } as const;
export type WebhookPath = (typeof webhookPaths)[keyof typeof webhookPaths];

/**
 * The Lease the replicas of `serve --background-scan` elect their one scanner with, in their own
 * namespace (lib/cluster/leader-election.ts); deploy/background-scan/rbac.yaml grants get and update
 * on this name only (test/deploy.test.ts).
 */
export const backgroundScanLease = `${projectName}-background-scan`;

/** The package's root: this file is compiled to dist/lib/facts.js. */
const packageRoot = new URL('../../', import.meta.url);

/** A file or folder of the package (`schemas/`, `deploy/webhook-configurations.yaml`), as a path. */
export function packagePath(relative: string): string {
  return fileURLToPath(new URL(relative, packageRoot));
}
