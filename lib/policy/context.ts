// The world a decision reads: one immutable snapshot, built at the edges and swapped whole.
import { defaults, type ClusterMode, type RoutingFlavour } from '../facts.js';
import { embeddedProfile, type Profile } from '../profile/profile.js';
import type { Labels } from '../violation.js';
import { compilePolicySchemas, type PolicySchemas } from './annotations.js';
import { defaultEnforcement, type Enforcement } from './enforcement.js';

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
    clusterMode: parts.clusterMode ?? defaults.clusterMode,
    profile: parts.profile ?? embeddedProfile,
    routing: parts.routing ?? defaults.routing,
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
