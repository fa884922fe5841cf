// The world a decision reads: one immutable snapshot, built at the edges and swapped whole.
import { embeddedProfile, type Profile } from '../profile/profile.js';
import type { Labels } from '../schema/types.js';
import { compilePolicySchemas, type PolicySchemas } from './annotations.js';
import { defaultEnforcement, type Enforcement } from './enforcement.js';
import type { RoutingFlavour } from './routing.js';

export const clusterModes = ['serverless', 'hybrid'] as const;

/**
 * `serverless`: every pod runs on ECI (ASK, ACS), so every workload is checked.
 * `hybrid`: real and virtual nodes side by side (ACK + virtual nodes, ACK One); only
 * ECI-bound workloads are checked.
 */
export type ClusterMode = (typeof clusterModes)[number];

export type { Labels };

export interface PolicyContext {
  readonly clusterMode: ClusterMode;
  readonly profile: Profile;
  /** Which virtual nodes ECI-bound pods are routed to. */
  readonly routing: RoutingFlavour;
  /** Labels of the namespaces known to the cache, by namespace name. */
  readonly namespaceLabels: ReadonlyMap<string, Labels>;
  /** The compiled annotation, label and ResourcePolicy schemas. */
  readonly schemas: PolicySchemas;
  /** Modes, exemptions and per-rule switches. */
  readonly enforcement: Enforcement;
}

/** The one place contexts are built: serve, the tests and the benchmarks fill in what they know. */
export function policyContext(parts: Partial<PolicyContext> = {}): PolicyContext {
  return {
    clusterMode: parts.clusterMode ?? 'serverless',
    profile: parts.profile ?? embeddedProfile,
    routing: parts.routing ?? 'ack-virtual-node',
    namespaceLabels: parts.namespaceLabels ?? new Map(),
    schemas: parts.schemas ?? shippedSchemas(),
    enforcement: parts.enforcement ?? defaultEnforcement,
  };
}

let shipped: PolicySchemas | undefined;

/** The package's own schemas, compiled on first use and shared by every context after. */
function shippedSchemas(): PolicySchemas {
  shipped ??= compilePolicySchemas();
  return shipped;
}
