// Where the server gets its policy context: one immutable snapshot per request, swapped whole
// by whoever watches the world (a file, the cluster).
import type { V1ConfigMap } from '@kubernetes/client-node';
import type { ClusterEvents } from '../cluster/watch.js';
import type { Labels, PolicyContext } from '../policy/context.js';
import { locationName, profileLocations, type ProfileLocation } from '../profile/locations.js';
import { embeddedProfile, parseProfile } from '../profile/profile.js';

export interface ContextHealth {
  readonly profile: string;
  /** Why the profile in use is not the cluster's current one. */
  readonly staleProfile?: string;
  /** Why the settings in use are not the config file's current ones. */
  readonly staleConfig?: string;
}

/** How what a source loads (the profile, the config file) came to be in use, for metrics. */
export interface LoadStatus {
  /** Versions taken into use so far; 0 while waiting for the first one (or with none to load). */
  readonly generation: number;
  /** When the version in use was loaded (ms since the epoch); undefined before the first. */
  readonly loadedAt: number | undefined;
  /** Versions refused because they did not parse or check. */
  readonly refused: number;
}

export interface ContextSource {
  /** The snapshot for the next request. Never waits on I/O. */
  current(): PolicyContext;
  /** False until the first snapshot from the real source is in. */
  ready(): boolean;
  health(): ContextHealth;
  profileStatus(): LoadStatus;
  /** The --config file's loads (lib/server/configured-context.ts); none for the other sources. */
  configStatus(): LoadStatus;
}

/** A source without a config file: its settings are the flags', fixed at start. */
const noConfig: LoadStatus = { generation: 0, loadedAt: undefined, refused: 0 };

/** A context that never changes: its one profile was loaded when this was called. */
export function staticContext(context: PolicyContext): ContextSource {
  const status: LoadStatus = { generation: 1, loadedAt: Date.now(), refused: 0 };
  return {
    current: () => context,
    ready: () => true,
    health: () => ({ profile: context.profile.source }),
    profileStatus: () => status,
    configStatus: () => noConfig,
  };
}

export interface ContextLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/**
 * The context kept up to date from the cluster. A profile that does not parse leaves the last
 * good one in place and says so once per change; losing the API keeps the last state.
 */
export class LiveContext implements ContextSource, ClusterEvents {
  #snapshot: PolicyContext;
  #synced = false;
  #staleProfile: string | undefined;
  #lastVersion: string | undefined;
  /** The profile ConfigMaps as last seen, by location name. */
  #configMaps = new Map<string, V1ConfigMap | undefined>();
  #status: LoadStatus = { generation: 0, loadedAt: undefined, refused: 0 };
  /** Watches failing now: each change of state is logged once, not each retry. */
  #failing = new Set<string>();

  constructor(
    initial: PolicyContext,
    private readonly log: ContextLog,
  ) {
    this.#snapshot = initial;
  }

  current(): PolicyContext {
    return this.#snapshot;
  }

  ready(): boolean {
    return this.#synced;
  }

  health(): ContextHealth {
    const profile = this.#snapshot.profile.source;
    return this.#staleProfile === undefined ? { profile } : { profile, staleProfile: this.#staleProfile };
  }

  profileStatus(): LoadStatus {
    return this.#status;
  }

  configStatus(): LoadStatus {
    return noConfig;
  }

  /** The preferred profile that exists is used (lib/profile/locations.ts says which and why). */
  profile(location: ProfileLocation, configMap: V1ConfigMap | undefined): void {
    this.#configMaps.set(locationName(location), configMap);
    const chosen = profileLocations.find((candidate) => this.#configMaps.get(locationName(candidate)) !== undefined);
    const current = chosen && this.#configMaps.get(locationName(chosen));
    const version = chosen ? `${locationName(chosen)}@${current?.metadata?.resourceVersion ?? ''}` : 'none';
    if (version === this.#lastVersion) return;
    this.#lastVersion = version;
    if (current === undefined) {
      this.#useProfile(embeddedProfile);
      return;
    }
    const source = `cluster ${version}`;
    const parsed = parseProfile(current.data ?? {}, source, this.#snapshot.schemas);
    const denials = parsed.problems.filter((problem) => problem.severity === 'deny');
    if (parsed.profile) {
      for (const problem of parsed.problems) this.log.warn({ profile: source, ...problem }, 'eci-profile');
      this.#useProfile(parsed.profile);
      return;
    }
    this.#status = { ...this.#status, refused: this.#status.refused + 1 };
    this.#staleProfile = `${source} refused: ${denials.map((p) => `${p.path}: ${p.message}`).join('; ')}`;
    this.log.warn(
      { profile: source, problems: denials, kept: this.#snapshot.profile.source },
      `eci-profile refused, keeping ${this.#snapshot.profile.source}`,
    );
  }

  namespaces(labels: ReadonlyMap<string, Labels>): void {
    this.#snapshot = { ...this.#snapshot, namespaceLabels: labels };
  }

  synced(): void {
    if (!this.#synced) this.log.info({ profile: this.#snapshot.profile.source }, 'synced with the cluster');
    this.#synced = true;
  }

  error(source: string, error: unknown): void {
    if (this.#failing.has(source)) return;
    this.#failing.add(source);
    this.log.warn(
      { source, reason: (error as Error)?.message ?? String(error) },
      'cluster watch failed; serving the last state, retrying',
    );
  }

  recovered(source: string): void {
    if (this.#failing.delete(source)) this.log.info({ source }, 'cluster watch recovered');
  }

  #useProfile(profile: PolicyContext['profile']): void {
    this.#staleProfile = undefined;
    this.#snapshot = { ...this.#snapshot, profile };
    this.#status = { ...this.#status, generation: this.#status.generation + 1, loadedAt: Date.now() };
    this.log.info(
      { profile: profile.source, selectors: profile.selectors.length },
      `eci-profile source: ${profile.source}`,
    );
  }
}
