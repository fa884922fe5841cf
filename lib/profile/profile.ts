// The eci-profile ConfigMap (kube-system/eci-profile, or acs-profile on ACS): parsed, checked
// against schemas/eci-profile.schema.json, and compiled into selectors ready to match pods.
import { readFile } from 'node:fs/promises';
import type { V1LabelSelector } from '@kubernetes/client-node';
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { Labels } from '../policy/context.js';
import type { Severity } from '../policy/rule.js';
import { fieldPath, problemsOf } from '../schema-errors.js';
import { readSchema } from '../schemas.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import { compileLabelSelector, type LabelMatcher } from './label-selector.js';

export interface ProfileSelector {
  readonly name: string;
  /** A namespaceSelector or objectSelector narrows it: only such a selector routes pods to ECI. */
  readonly constrained: boolean;
  readonly matchesNamespace: LabelMatcher;
  readonly matchesObject: LabelMatcher;
  readonly annotations: Labels;
  readonly labels: Labels;
}

export interface Profile {
  /** Where it came from, for logs: `embedded default`, `file /path`, `cluster kube-system/eci-profile`. */
  readonly source: string;
  readonly data: Readonly<Record<string, string>>;
  readonly selectors: readonly ProfileSelector[];
}

export interface ProfileProblem {
  readonly path: string;
  readonly message: string;
  readonly severity: Severity;
}

export interface ParsedProfile {
  /** Absent when a problem is severe enough to refuse the profile. */
  readonly profile?: Profile;
  readonly problems: readonly ProfileProblem[];
}

/** What newer ACK clusters ship: no selectors; routing by the ECI labels still applies. */
export const embeddedProfile: Profile = { source: 'embedded default', data: { selectors: '' }, selectors: [] };

/** The ConfigMaps that hold a profile, as namespace/name. */
export const profileConfigMaps: readonly string[] = ['kube-system/eci-profile', 'kube-system/acs-profile'];

export class ProfileError extends Error {
  override name = 'ProfileError';
}

const schema = readSchema('eci-profile');
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false });
const validateData = ajv.compile(schema);
const validateSelectors = ajv.getSchema('eci-profile#/definitions/selectors')!;
const definitions = recordOrEmpty(schema.definitions);
const knownDataKeys = new Set(Object.keys(recordOrEmpty(schema.properties)));
const selectorSchema = recordOrEmpty(recordOrEmpty(definitions.selectors).items);
const knownSelectorFields = new Set(Object.keys(recordOrEmpty(selectorSchema.properties)));
const crdOnlyFields = new Set(selectorSchema['x-crd-only'] as string[]);

/** Parses the `data` of a profile ConfigMap; paths in problems start at `data`. */
export function parseProfile(data: unknown, source: string): ParsedProfile {
  if (!validateData(data)) return refused(problemsOf(validateData.errors, 'data').map(deny));
  const strings = data as Record<string, string>;
  const problems: ProfileProblem[] = Object.keys(strings)
    .filter((key) => !knownDataKeys.has(key))
    .map((key) => warn(fieldPath('data', [key]), 'is not a known eci-profile key, ignored'));
  const selectors = parseSelectors(strings.selectors ?? '', problems);
  if (selectors === undefined || problems.some((problem) => problem.severity === 'deny')) return refused(problems);
  return { profile: { source, data: strings, selectors }, problems };
}

function parseSelectors(text: string, problems: ProfileProblem[]): ProfileSelector[] | undefined {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    problems.push(deny({ path: 'data.selectors', message: `is not valid JSON: ${(error as Error).message}` }));
    return undefined;
  }
  if (!validateSelectors(parsed)) {
    problems.push(...problemsOf(validateSelectors.errors, 'data.selectors').map(deny));
    return undefined;
  }
  const items = parsed as Array<Record<string, unknown>>;
  items.forEach((item, index) => problems.push(...selectorProblems(item, index, items)));
  return items.map(compileSelector);
}

function selectorProblems(item: Record<string, unknown>, index: number, all: ReadonlyArray<Record<string, unknown>>) {
  const at = (field: string) => fieldPath(`data.selectors[${index}]`, [field]);
  const problems = Object.keys(item)
    .filter((field) => !knownSelectorFields.has(field))
    .map((field) =>
      crdOnlyFields.has(field)
        ? warn(at(field), 'belongs to the Selector CRD (eci.aliyun.com/v1), not the ConfigMap: ignored')
        : warn(at(field), 'is not a known selector field, ignored'),
    );
  const first = all.findIndex((other) => other.name === item.name);
  if (first < index) problems.push(deny({ path: at('name'), message: `${JSON.stringify(item.name)} is already the name of selectors[${first}]` }));
  if (item.namespaceSelector === undefined && item.objectSelector === undefined) {
    problems.push(warn(`data.selectors[${index}]`, 'has neither namespaceSelector nor objectSelector: its effect applies to every ECI pod'));
  }
  return problems;
}

function compileSelector(item: Record<string, unknown>): ProfileSelector {
  const effect = recordOrEmpty(item.effect);
  return {
    name: String(item.name),
    constrained: item.namespaceSelector !== undefined || item.objectSelector !== undefined,
    matchesNamespace: compileLabelSelector(item.namespaceSelector as V1LabelSelector | undefined),
    matchesObject: compileLabelSelector(item.objectSelector as V1LabelSelector | undefined),
    annotations: recordOrEmpty(effect.annotations) as Labels,
    labels: recordOrEmpty(effect.labels) as Labels,
  };
}

function deny(problem: { path: string; message: string }): ProfileProblem {
  return { ...problem, severity: 'deny' };
}

function warn(path: string, message: string): ProfileProblem {
  return { path, message, severity: 'warn' };
}

function refused(problems: readonly ProfileProblem[]): ParsedProfile {
  return { problems };
}

/** Reads an eci-profile ConfigMap from a YAML (or JSON) file; refuses one that does not parse. */
export async function readProfileFile(path: string): Promise<ParsedProfile> {
  let document: unknown;
  try {
    document = parse(await readFile(path, 'utf8'));
  } catch (error) {
    throw new ProfileError(`cannot read eci-profile ${path}: ${(error as Error).message}`);
  }
  const object = recordOrEmpty(document);
  if (object.kind !== 'ConfigMap') {
    throw new ProfileError(`${path} is not a ConfigMap (kind: ${String(object.kind)})`);
  }
  return parseProfile(object.data ?? {}, `file ${path}`);
}
