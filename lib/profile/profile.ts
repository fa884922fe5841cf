// The eci-profile ConfigMap (kube-system/eci-profile, or acs-profile on ACS): parsed, checked
// against schemas/eci-profile.schema.json, and compiled into selectors ready to match pods.
import { readFile } from 'node:fs/promises';
import type { V1LabelSelector } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { JsonLimitError, readJson } from '../json/bounded.js';
import type { SchemaCheck } from '../json-schema/checker.js';
import { childPath } from '../json-schema/messages.js';
import type { Labels, Severity, Violation } from '../violation.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import { compileLabelSelector, type LabelMatcher } from './label-selector.js';
import type { ProfileSchema } from './profile-schema.js';
import { indexSelectors, type IndexableSelector, type SelectorIndex } from './selector-index.js';

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
  /** The selectors by label, so matching does not scan them all. */
  readonly index: SelectorIndex;
}

/** The compiled schemas a profile is checked with: its own, and the annotations of its effects. */
export interface ProfileSchemas {
  readonly eciProfile: ProfileSchema;
  readonly eciAnnotations: SchemaCheck;
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
export const embeddedProfile: Profile = {
  source: 'embedded default',
  data: { selectors: '' },
  selectors: [],
  index: indexSelectors([]),
};

export class ProfileError extends Error {
  override name = 'ProfileError';
}

/**
 * Parses the `data` of a profile ConfigMap against the compiled eci-profile schema; selector
 * effects are checked with the annotation schema. Paths in problems start at `data`. Whatever the
 * data holds, the answer is a profile or a refusal: profiles come from the cluster, and a server
 * that threw on one would crash-loop on every replica.
 */
export function parseProfile(data: unknown, source: string, schemas: ProfileSchemas): ParsedProfile {
  try {
    return parseChecked(data, source, schemas);
  } catch (error) {
    return refused([
      { path: 'data', message: `cannot be read: ${(error as Error)?.message ?? String(error)}`, severity: 'deny' },
    ]);
  }
}

function parseChecked(data: unknown, source: string, schemas: ProfileSchemas): ParsedProfile {
  const schema = schemas.eciProfile;
  const invalid = schema.data(data, 'data');
  if (invalid.length > 0) return refused(invalid.map(problemOf));
  const strings = data as Record<string, string>;
  const problems: ProfileProblem[] = Object.keys(strings)
    .filter((key) => !schema.dataKeys.has(key))
    .map((key) => warn(childPath('data', key), 'is not a known eci-profile key, ignored'));
  const items = parseSelectors(strings.selectors ?? '', schemas, problems);
  if (items === undefined || problems.some((problem) => problem.severity === 'deny')) return refused(problems);
  const profile = {
    source,
    data: strings,
    selectors: items.map(compileSelector),
    index: indexSelectors(items as IndexableSelector[]),
  };
  return { profile, problems };
}

/** The selector items, checked; undefined when they cannot be read at all. */
function parseSelectors(
  text: string,
  schemas: ProfileSchemas,
  problems: ProfileProblem[],
): Array<Record<string, unknown>> | undefined {
  if (text.trim() === '') return [];
  let parsed: unknown;
  try {
    parsed = readJson(text);
  } catch (error) {
    const reason = (error as Error).message;
    problems.push({
      path: 'data.selectors',
      message: error instanceof JsonLimitError ? reason : `is not valid JSON: ${reason}`,
      severity: 'deny',
    });
    return undefined;
  }
  const invalid = schemas.eciProfile.selectors(parsed, 'data.selectors');
  if (invalid.length > 0) {
    problems.push(...invalid.map(problemOf));
    return undefined;
  }
  const items = parsed as Array<Record<string, unknown>>;
  for (const [index, item] of items.entries()) problems.push(...selectorProblems(item, index, items, schemas));
  return items;
}

function selectorProblems(
  item: Record<string, unknown>,
  index: number,
  all: ReadonlyArray<Record<string, unknown>>,
  schemas: ProfileSchemas,
) {
  const { selectorFields, crdOnlyFields } = schemas.eciProfile;
  const at = childPath('data.selectors', index);
  const problems = Object.keys(item)
    .filter((field) => !selectorFields.has(field))
    .map((field) =>
      crdOnlyFields.has(field)
        ? warn(childPath(at, field), 'belongs to the Selector CRD (eci.aliyun.com/v1), not the ConfigMap: ignored')
        : warn(childPath(at, field), 'is not a known selector field, ignored'),
    );
  const first = all.findIndex((other) => other.name === item.name);
  if (first < index) {
    problems.push({
      path: childPath(at, 'name'),
      message: `${JSON.stringify(item.name)} is already the name of selectors[${first}]`,
      severity: 'deny',
    });
  }
  if (item.namespaceSelector === undefined && item.objectSelector === undefined) {
    problems.push(warn(at, 'has neither namespaceSelector nor objectSelector: its effect applies to every ECI pod'));
  }
  const annotations = recordOrEmpty(item.effect).annotations;
  problems.push(
    ...schemas.eciAnnotations(recordOrEmpty(annotations), childPath(at, 'effect', 'annotations')).map(problemOf),
  );
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

function problemOf(violation: Violation): ProfileProblem {
  return { path: violation.path, message: violation.message ?? 'is invalid', severity: violation.severity ?? 'deny' };
}

function warn(path: string, message: string): ProfileProblem {
  return { path, message, severity: 'warn' };
}

function refused(problems: readonly ProfileProblem[]): ParsedProfile {
  return { problems };
}

/** Reads an eci-profile ConfigMap from a YAML (or JSON) file; refuses one that does not parse. */
export async function readProfileFile(path: string, schemas: ProfileSchemas): Promise<ParsedProfile> {
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
  return parseProfile(object.data ?? {}, `file ${path}`, schemas);
}
