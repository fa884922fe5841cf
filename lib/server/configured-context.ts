// The --config file over the server's life: its settings on top of whatever source feeds the
// profile and the namespaces, swapped whole when the file changes (a mounted ConfigMap is
// followed as lib/files/mounted-files.ts says). A file that cannot be used keeps the last good
// settings, is logged once per change, counted, and named by /readyz: as LiveContext does for
// the eci-profile.
import { basename, dirname, resolve } from 'node:path';
import type { ConfigFile, LoadedConfig } from '../config/config-file.js';
import type { Settings } from '../config/settings.js';
import { followFiles, type Following } from '../files/mounted-files.js';
import type { PolicyContext } from '../policy/context.js';
import type { ContextHealth, ContextLog, ContextSource, LoadStatus } from './context-source.js';

export class ConfiguredContext implements ContextSource {
  #settings: Settings;
  /** The inner snapshot the last merged one was built on, so a request builds nothing. */
  #base: PolicyContext | undefined;
  #snapshot: PolicyContext | undefined;
  #status: LoadStatus = { generation: 1, loadedAt: Date.now(), refused: 0 };
  #stale: string | undefined;

  constructor(
    private readonly inner: ContextSource,
    private readonly file: ConfigFile,
    settings: Settings,
    private readonly log: ContextLog,
  ) {
    this.#settings = settings;
  }

  current(): PolicyContext {
    const base = this.inner.current();
    if (base !== this.#base || this.#snapshot === undefined) {
      this.#base = base;
      this.#snapshot = { ...base, ...this.#settings };
    }
    return this.#snapshot;
  }

  ready(): boolean {
    return this.inner.ready();
  }

  health(): ContextHealth {
    const health = this.inner.health();
    return this.#stale === undefined ? health : { ...health, staleConfig: this.#stale };
  }

  profileStatus(): LoadStatus {
    return this.inner.profileStatus();
  }

  configStatus(): LoadStatus {
    return this.#status;
  }

  /** The file reads differently: its settings from the next review on, or refused. */
  changed(text: string | undefined): void {
    if (text === undefined) {
      this.failed(`${this.file.path} does not exist`);
      return;
    }
    let settings: Settings;
    try {
      settings = this.file.settingsOf(text);
    } catch (error) {
      this.failed((error as Error).message);
      return;
    }
    this.#settings = settings;
    this.#snapshot = undefined;
    this.#stale = undefined;
    this.#status = { ...this.#status, generation: this.#status.generation + 1, loadedAt: Date.now() };
    this.log.info(
      { config: this.file.path, settings: settingsFields(settings) },
      `settings from ${this.file.path} in use`,
    );
  }

  failed(reason: string): void {
    this.#status = { ...this.#status, refused: this.#status.refused + 1 };
    this.#stale = reason;
    this.log.warn({ config: this.file.path, reason }, `config file refused, keeping the last good settings: ${reason}`);
  }
}

/** The context with the file's settings over `inner`, and the follower that keeps them current. */
export function followConfig(
  inner: ContextSource,
  config: LoadedConfig,
  log: ContextLog,
): { context: ConfiguredContext; following: Following } {
  const context = new ConfiguredContext(inner, config.file, config.settings, log);
  const path = resolve(config.file.path);
  const following = followFiles(dirname(path), [basename(path)], [config.text], {
    changed: ([text]) => context.changed(text),
    failed: (reason) => context.failed(reason),
  });
  return { context, following };
}

/** The settings as a log line shows them: sets and maps as lists and objects. */
export function settingsFields({ clusterMode, routing, enforcement }: Settings): object {
  return {
    clusterMode,
    routing,
    mode: enforcement.mode,
    exemptNamespaces: [...enforcement.exemptNamespaces],
    exemptUsers: [...enforcement.exemptUsers],
    exemptGroups: [...enforcement.exemptGroups],
    allowOptOut: enforcement.allowOptOut,
    rules: Object.fromEntries(enforcement.rules),
  };
}
