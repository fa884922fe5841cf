// The annotation and label schemas (schemas/) as CEL: each key's values and each cross-key rule
// becomes one validation, written from the same schema nodes the webhook's Ajv checks compile.
// Keywords CEL cannot state here (comma lists, JSON values, formats) leave their key uncovered:
// the key is reported, never half-checked.
import type { JsonSchema } from '../json-schema/files.js';
import { literal, listLiteral } from './cel.js';

class NotExpressible extends Error {
  override name = 'NotExpressible';
}

/** Keywords that describe a node for people (or for the messages) and check nothing. */
const describing = new Set([
  'type',
  'examples',
  'description',
  'title',
  '$comment',
  'x-format',
  'x-message',
  'x-severity',
  'x-at',
  'x-crd-only',
  'x-source',
]);

interface SchemaValidation {
  /**
   * The key judged, as a finding names it below the pod metadata:
   * `annotations["k8s.aliyun.com/eci-spot-strategy"]`.
   */
  readonly field: string;
  readonly severity: 'deny' | 'warn';
  /** True when the data is acceptable. */
  readonly expression: string;
  /** The finding's message after `<field>: `, a CEL string expression. */
  readonly message: string;
}

export interface Uncovered {
  readonly field: string;
  readonly reason: string;
}

export interface SchemaCel {
  readonly validations: readonly SchemaValidation[];
  readonly uncovered: readonly Uncovered[];
}

/** Reasons, by the keyword CEL cannot state, for the command's output and the README. */
const reasons: Readonly<Record<string, string>> = {
  'x-json': 'a JSON object or array parsed from the string: CEL has no JSON parser',
  patternProperties: 'a family of keys by prefix (a warning): not translated yet',
};

/** ajv-formats' ipv4, which the webhook's checks use, in RE2 (CEL's matches) as in JavaScript. */
const ipv4Pattern = '^(?:(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)\\.){3}(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)$';

/** Range keywords of numbers parsed by x-json, and the CEL comparison each allows. */
const ranges: Readonly<Record<string, string>> = {
  minimum: '>=',
  maximum: '<=',
  exclusiveMinimum: '>',
  exclusiveMaximum: '<',
};

/**
 * The validations of `schema` over the CEL map `data`, whose top-level fields sit at `fieldPrefix`
 * (`annotations` for the annotation map, '' for `{labels, annotations}`).
 */
export function schemaCel(schema: JsonSchema, data: string, fieldPrefix: string): SchemaCel {
  const validations: SchemaValidation[] = [];
  const uncovered: Uncovered[] = [];
  const attempt = (field: string, make: () => SchemaValidation) => {
    try {
      validations.push(make());
    } catch (error) {
      if (!(error instanceof NotExpressible)) throw error;
      uncovered.push({ field, reason: reasons[error.message] ?? error.message });
    }
  };
  const leaves = (node: JsonSchema, subject: string, pointer: readonly string[]): void => {
    for (const [key, child] of Object.entries((node.properties ?? {}) as Record<string, JsonSchema>)) {
      const resolved = resolve(schema, child);
      const at = [...pointer, key];
      const value = `${subject}[${literal(key)}]`;
      if (resolved.properties) {
        leaves(resolved, value, at);
        continue;
      }
      const field = fieldOf(fieldPrefix, at);
      attempt(field, () => ({
        field,
        severity: severityOf(resolved),
        expression: `!(${literal(key)} in ${subject}) || ${nodeCel(schema, resolved, value)}`,
        message: valueMessage(resolved, value),
      }));
    }
  };
  leaves(schema, data, []);
  if (schema.patternProperties) {
    for (const pattern of Object.keys(schema.patternProperties as object))
      uncovered.push({ field: fieldOf(fieldPrefix, [pattern]), reason: reasons.patternProperties! });
  }
  for (const rule of (schema.allOf ?? []) as JsonSchema[]) {
    const at = pointerOf(String(rule['x-at']));
    const field = fieldOf(fieldPrefix, at);
    attempt(field, () => ({
      field,
      severity: severityOf(rule),
      expression: nodeCel(schema, rule, data),
      message: literal(String(rule['x-message'])),
    }));
  }
  return { validations, uncovered };
}

function severityOf(node: JsonSchema): 'deny' | 'warn' {
  return node['x-severity'] === 'warn' ? 'warn' : 'deny';
}

/** `labels["alibabacloud.com/acs"]` of ['labels', 'alibabacloud.com/acs'] below `prefix`. */
function fieldOf(prefix: string, keys: readonly string[]): string {
  const [first, ...rest] = prefix ? [prefix, ...keys] : keys;
  return `${first}${rest.map((key) => `[${JSON.stringify(key)}]`).join('')}`;
}

function pointerOf(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolve(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== 'string') return node;
  const name = ref.replace('#/$defs/', '');
  const target = (root.$defs as Record<string, JsonSchema>)[name]!;
  const { $ref: _ref, ...rest } = node;
  return { ...target, ...rest };
}

/** `"value" is not one of A, B`, or `is not <x-format>`, or the node's own x-message. */
function valueMessage(node: JsonSchema, value: string): string {
  if (typeof node['x-message'] === 'string') return literal(node['x-message']);
  const allowed = Array.isArray(node.enum) ? `one of ${node.enum.join(', ')}` : String(node['x-format'] ?? 'valid');
  return `'"' + ${value} + ${literal(`" is not ${allowed}`)}`;
}

/** A schema node as a CEL condition on `subject`. */
function nodeCel(root: JsonSchema, raw: JsonSchema, subject: string): string {
  const node = resolve(root, raw);
  const parts = Object.entries(node).flatMap(([keyword, argument]): string[] => {
    if (describing.has(keyword)) return [];
    switch (keyword) {
      case 'enum':
        return [`${subject} in ${listLiteral(argument as string[])}`];
      case 'const':
        return [`${subject} == ${literal(argument as string)}`];
      case 'pattern':
        return [`${subject}.matches(${literal(argument as string)})`];
      case 'format':
        if (argument !== 'ipv4') throw new NotExpressible(`the format ${String(argument)}`);
        return [`${subject}.matches(${literal(ipv4Pattern)})`];
      case 'x-list':
        return [nodeCel(root, argument as JsonSchema, `${subject}.split(',')`)];
      case 'x-json':
        // Numbers only; their pattern has already said the string is one (&& absorbs the error).
        if (!['number', 'integer'].includes(String((argument as JsonSchema).type))) throw new NotExpressible('x-json');
        return [nodeCel(root, argument as JsonSchema, `double(${subject})`)];
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum':
        return [`${subject} ${ranges[keyword]} double(${Number(argument)})`];
      case 'items':
        return [`${subject}.all(x, ${nodeCel(root, argument as JsonSchema, 'x')})`];
      case 'maxItems':
        return [`size(${subject}) <= ${Number(argument)}`];
      case 'minItems':
        return [`size(${subject}) >= ${Number(argument)}`];
      case 'uniqueItems':
        return argument === true ? [`${subject}.all(x, size(${subject}.filter(y, y == x)) == 1)`] : [];
      case 'if':
        return [
          `!(${nodeCel(root, argument as JsonSchema, subject)})` +
            ` || (${nodeCel(root, (node.then ?? {}) as JsonSchema, subject)})`,
        ];
      case 'then':
        return [];
      case 'not':
        return [`!(${nodeCel(root, argument as JsonSchema, subject)})`];
      case 'required':
        return (argument as string[]).map((key) => `${literal(key)} in ${subject}`);
      case 'properties':
        return Object.entries(argument as Record<string, JsonSchema>).map(
          ([key, child]) =>
            `(!(${literal(key)} in ${subject}) || ${nodeCel(root, child, `${subject}[${literal(key)}]`)})`,
        );
      default:
        throw new NotExpressible(keyword);
    }
  });
  return parts.length === 0 ? 'true' : parts.map((part) => `(${part})`).join(' && ');
}
