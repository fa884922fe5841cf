// Ajv's errors in words a user can act on: the key, the bad value and what is allowed, all read
// from the schema that failed (enum values, `x-format` descriptions, the `x-message` of a rule),
// never Ajv's JSON-pointer text. Every value a message names comes from the schema files.
import type { ErrorObject } from 'ajv/dist/2020.js';
import { counted } from '../plural.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import type { JsonSchema } from './files.js';
import type { Severity, Violation } from '../violation.js';

/** One thing wrong, at a field path relative to the value the error was raised on. */
interface Problem {
  readonly at: string;
  readonly text: string;
}

/**
 * The violations of `data` against `root`, with paths below `at` (a field path such as
 * `spec.template.metadata.annotations`). A rule (a schema node with `x-message`) yields its own
 * message once, at its `x-at` pointer when it names one; `x-severity` of the nearest enclosing
 * node decides deny or warn.
 */
export function violationsOf(errors: readonly ErrorObject[], root: JsonSchema, data: unknown, at: string): Violation[] {
  const found = new Map<string, Violation>();
  // A value of the wrong type fails every other keyword too; its type is all worth saying.
  const mistyped = new Set(errors.filter((error) => error.keyword === 'type').map((error) => error.instancePath));
  for (const error of errors) {
    // `if` only says that its `then` failed; the `then` error says what.
    if (error.keyword === 'if' || (error.keyword !== 'type' && mistyped.has(error.instancePath))) continue;
    const violation = violationOf(error, root, data, at);
    const key = `${violation.path}\n${violation.message}`;
    if (!found.has(key)) found.set(key, violation);
  }
  return [...found.values()];
}

function violationOf(error: ErrorObject, root: JsonSchema, data: unknown, at: string): Violation {
  const trail = schemaTrail(root, error.schemaPath);
  const severity = nearest(trail, 'x-severity') === 'warn' ? 'warn' : ('deny' satisfies Severity);
  const ruleMessage = nearest(trail, 'x-message');
  if (ruleMessage !== undefined) {
    const pointer = nearest(trail, 'x-at') ?? error.instancePath;
    return { path: joinPath(at, fieldPath(pointer)), message: ruleMessage, severity };
  }
  const problems = describe(error, trail.at(-1) ?? {}, valueAt(data, error.instancePath));
  return { path: joinPath(at, fieldPath(error.instancePath)), message: located(problems), severity };
}

/**
 * Each problem after where it is inside the value (`[1]` of a comma list, `.host` of a JSON
 * value). The key itself is not repeated: the finding's field path names it.
 */
function located(problems: readonly Problem[]): string {
  return problems
    .map(({ at, text }) => {
      const where = at.replace(/^\./, '');
      return where ? `${where}: ${text}` : text;
    })
    .join('; ');
}

function describe(error: ErrorObject, parent: JsonSchema, value: unknown): Problem[] {
  const params = error.params as Record<string, unknown>;
  const here = (text: string): Problem[] => [{ at: '', text }];
  switch (error.keyword) {
    case 'x-json':
    case 'x-list':
      return parsedProblems(error.keyword, params, parent, value);
    case 'type':
      return here(`${show(value)} is not ${withArticle(String(params.type))}`);
    case 'enum':
      return here(`${show(value)} is not one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return here(`${show(value)} is not ${show(params.allowedValue)}`);
    case 'pattern':
    case 'format':
      return here(
        `${show(value)} is not ${formatOf(parent) ?? `in the format ${String(params.pattern ?? params.format)}`}`,
      );
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return here(`${show(value)} must be ${String(params.comparison)} ${String(params.limit)}`);
    case 'maxItems':
      if (Number(params.limit) === 0) return here('must be empty');
      return here(`has ${entries(countOf(value))}; at most ${String(params.limit)} ${isAre(params.limit)} allowed`);
    case 'minItems':
      return here(`has ${entries(countOf(value))}; at least ${String(params.limit)} ${isAre(params.limit)} needed`);
    case 'uniqueItems':
      return here(`lists ${show(Array.isArray(value) ? value[Number(params.j)] : value)} twice`);
    case 'minLength':
      return here('must not be empty');
    case 'required':
      return here(`${String(params.missingProperty)} is required`);
    case 'additionalProperties':
      return here(
        `${String(params.additionalProperty)} is not a known field` +
          ` (known: ${Object.keys(recordOrEmpty(parent.properties)).join(', ')})`,
      );
    case 'false schema':
      return here('is not allowed here');
    default:
      return here(`${show(value)} ${error.message ?? 'is invalid'}`);
  }
}

/** `x-json` and `x-list` check a value parsed from the string: their errors are about that value. */
function parsedProblems(
  keyword: string,
  params: Record<string, unknown>,
  parent: JsonSchema,
  value: unknown,
): Problem[] {
  if (typeof params.limit === 'string') {
    return [{ at: '', text: `${show(value)} ${params.limit}; expected ${formatOf(parent) ?? 'JSON'}` }];
  }
  if (typeof params.parseError === 'string') {
    return [
      {
        at: '',
        text: `${show(value)} is not valid JSON (${params.parseError}); expected ${formatOf(parent) ?? 'JSON'}`,
      },
    ];
  }
  const inner = recordOrEmpty(parent[keyword]);
  return (params.errors as ErrorObject[])
    .filter((error) => error.keyword !== 'if')
    .flatMap((error) =>
      describe(error, schemaTrail(inner, error.schemaPath).at(-1) ?? {}, valueAt(params.value, error.instancePath)).map(
        (problem) => ({ at: `${fieldPath(error.instancePath)}${problem.at}`, text: problem.text }),
      ),
    );
}

/** The schema nodes from the root down to the one holding the failing keyword (`#/a/b/keyword`). */
function schemaTrail(root: JsonSchema, schemaPath: string): JsonSchema[] {
  const trail: JsonSchema[] = [root];
  let node: unknown = root;
  for (const segment of segmentsOf(schemaPath.replace(/^#/, '')).slice(0, -1)) {
    node = Array.isArray(node) ? node[Number(segment)] : recordOrEmpty(node)[segment];
    trail.push(recordOrEmpty(node));
  }
  return trail;
}

function nearest(trail: readonly JsonSchema[], keyword: string): string | undefined {
  const value = trail.findLast((node) => typeof node[keyword] === 'string')?.[keyword];
  return typeof value === 'string' ? value : undefined;
}

function formatOf(schema: JsonSchema): string | undefined {
  return typeof schema['x-format'] === 'string' ? schema['x-format'] : undefined;
}

/** RFC 6901 pointer segments, unescaped. */
export function segmentsOf(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** A pointer as kubectl writes field paths: `/spec/units/1/resource` -> `.spec.units[1].resource`. */
export function fieldPath(pointer: string): string {
  return segmentsOf(pointer).map(segmentPath).join('');
}

/** `at` and then the given keys or indexes: childPath('data', 'a/b') is `data["a/b"]`. */
export function childPath(at: string, ...segments: ReadonlyArray<string | number>): string {
  return joinPath(at, segments.map(String).map(segmentPath).join(''));
}

function segmentPath(segment: string): string {
  if (/^(0|[1-9][0-9]*)$/.test(segment)) return `[${segment}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(segment) ? `.${segment}` : `[${JSON.stringify(segment)}]`;
}

function joinPath(at: string, relative: string): string {
  return at === '' ? relative.replace(/^\./, '') : `${at}${relative}`;
}

function valueAt(data: unknown, pointer: string): unknown {
  return segmentsOf(pointer).reduce<unknown>(
    (node, segment) => (Array.isArray(node) ? node[Number(segment)] : recordOrEmpty(node)[segment]),
    data,
  );
}

const longestShown = 80;

function show(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > longestShown ? `${text.slice(0, longestShown)}...` : text;
}

function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function countOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

const entries = (count: number) => counted(count, 'entry', 'entries');
const isAre = (count: unknown) => (Number(count) === 1 ? 'is' : 'are');
