// The --config file of serve and check: YAML checked against schemas/config.schema.json (compiled
// once, when the file is named, so a reload compiles nothing), its settings under the flags given
// on the command line. Every mistake is one line naming the file and the key.
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { schemaCompiler, type SchemaCheck } from '../json-schema/checker.js';
import { readSchema } from '../json-schema/files.js';
import { settingsOf, SettingsError, type Settings, type SettingValues } from './settings.js';

export interface ConfigRead {
  /** The file as read: what a reload compares with. */
  readonly text: string;
  readonly settings: Settings;
}

export class ConfigFile {
  readonly #check: SchemaCheck;

  /** `flags`: the settings given on the command line, which win over the file's. */
  constructor(
    readonly path: string,
    private readonly flags: SettingValues,
  ) {
    this.#check = schemaCompiler()(readSchema('config'));
  }

  async read(): Promise<ConfigRead> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (error) {
      throw new SettingsError(`cannot read config ${this.path}: ${(error as Error).message}`);
    }
    return { text, settings: this.settingsOf(text) };
  }

  /** The settings of the file's text under the flags'; a file that cannot be used throws SettingsError. */
  settingsOf(text: string): Settings {
    const values = this.#valuesOf(text);
    // On its own first, so a mistake in the file is named by the file's key, not by a flag.
    settingsOf(values, (key) => `${this.path}: ${key}`);
    return settingsOf({ ...values, ...this.flags });
  }

  #valuesOf(text: string): SettingValues {
    let document: unknown;
    try {
      document = parse(text);
    } catch (error) {
      throw new SettingsError(`${this.path}: not YAML: ${(error as Error).message.split('\n')[0]?.replace(/:$/, '')}`);
    }
    // An empty file is more likely a write caught halfway than a wish for every default.
    if (document === null || document === undefined)
      throw new SettingsError(`${this.path}: holds no settings (write {} for the defaults)`);
    const violations = this.#check(document, '');
    if (violations.length > 0) {
      throw new SettingsError(
        `${this.path}: ${violations.map(({ path, message }) => (path ? `${path}: ${message}` : message)).join('; ')}`,
      );
    }
    return document as SettingValues;
  }
}

/** The file with what it held at start: what a command uses, and what serve follows. */
export interface LoadedConfig extends ConfigRead {
  readonly file: ConfigFile;
}

export async function loadConfig(path: string, flags: SettingValues): Promise<LoadedConfig> {
  const file = new ConfigFile(path, flags);
  return { file, ...(await file.read()) };
}
