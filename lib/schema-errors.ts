// Ajv's errors said the way a user reads a manifest: the field path as kubectl writes it, the bad
// value, and what is allowed. Validators must be compiled with `verbose: true` (for the value).
import type { ErrorObject } from 'ajv';

export interface SchemaProblem {
  /** e.g. `data.selectors[1].effect.annotations["k8s.aliyun.com/eci-spot-strategy"]`. */
  readonly path: string;
  readonly message: string;
}

export function problemsOf(errors: readonly ErrorObject[] | null | undefined, prefix: string): SchemaProblem[] {
  const seen = new Set<string>();
  return (errors ?? [])
    .filter((error) => error.keyword !== 'if')
    .map((error) => describe(error, prefix))
    .filter((problem) => !seen.has(problem.path + problem.message) && seen.add(problem.path + problem.message));
}

function describe(error: ErrorObject, prefix: string): SchemaProblem {
  const segments = error.instancePath.split('/').slice(1).map(unescapePointer);
  const params = error.params as Record<string, unknown>;
  const value = shown(error.data);
  switch (error.keyword) {
    case 'required':
      return { path: fieldPath(prefix, [...segments, String(params.missingProperty)]), message: 'is required' };
    case 'additionalProperties':
      return { path: fieldPath(prefix, [...segments, String(params.additionalProperty)]), message: 'is not a known field' };
    case 'enum':
      return at(`${value} is not one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'const':
      return at(`${value} is not ${shown(params.allowedValue)}`);
    case 'pattern': {
      const format = (error.parentSchema as Record<string, unknown> | undefined)?.['x-format'];
      return at(`${value} is not ${typeof format === 'string' ? format : `of the form ${String(params.pattern)}`}`);
    }
    case 'type':
      return at(`${value} is not ${article(String(params.type))}`);
    case 'minLength':
      return at('must not be empty');
    case 'minItems':
      return at(`needs at least ${String(params.limit)} value(s)`);
    case 'maxItems':
      return at(Number(params.limit) === 0 ? 'takes no values' : `takes at most ${String(params.limit)} value(s)`);
    default:
      return at(error.message ?? 'is invalid');
  }

  function at(message: string): SchemaProblem {
    return { path: fieldPath(prefix, segments), message };
  }
}

/** `prefix.key[0]["a/b"]`: dotted where the key is a plain name, quoted in brackets otherwise. */
export function fieldPath(prefix: string, segments: readonly string[]): string {
  return segments.reduce((path, segment) => {
    if (/^\d+$/.test(segment)) return `${path}[${segment}]`;
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) return path ? `${path}.${segment}` : segment;
    return `${path}[${JSON.stringify(segment)}]`;
  }, prefix);
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function article(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}
