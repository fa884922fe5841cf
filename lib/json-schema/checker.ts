// Ajv set up for the policy schemas: draft 2020-12, the documentation keywords the schemas carry,
// and two keywords that check a value parsed out of an annotation string. A compiled check is a
// plain function of (data, field path): rules never see Ajv.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { DataValidateFunction } from 'ajv/dist/types/index.js';
import addFormats from 'ajv-formats';
import { JsonLimitError, readJson } from '../json/bounded.js';
import type { JsonSchema } from './files.js';
import type { Violation } from '../violation.js';
import { violationsOf } from './messages.js';

/** The violations of `data`, with field paths below `at`. */
export type SchemaCheck = (data: unknown, at: string) => Violation[];

/** Keywords that only describe (for messages and the README), never validate. */
/** `x-source`: the documentation page a fact of the schema was read from. */
const describingKeywords = ['x-format', 'x-message', 'x-severity', 'x-at', 'x-crd-only', 'x-source'];

/** A value given as one string that holds more structure: each is checked against a sub-schema. */
const parsers: Readonly<Record<string, (text: string) => unknown>> = {
  /** JSON-valued annotations (custom hosts, DNS config, sysctls) and numbers with ranges. */
  'x-json': (text) => readJson(text),
  /** Comma lists (vSwitches, security groups, specs): the sub-schema sees the entries as an array. */
  'x-list': (text) => text.split(','),
};

/** One Ajv instance per schema set; each call compiles one schema into a check. */
export function schemaCompiler(): (schema: JsonSchema) => SchemaCheck {
  const ajv = new Ajv2020({ allErrors: true, strictTypes: false });
  addFormats.default(ajv, ['ipv4']);
  ajv.addVocabulary(describingKeywords);
  for (const [keyword, parse] of Object.entries(parsers)) {
    ajv.addKeyword({
      keyword,
      type: 'string',
      schemaType: 'object',
      errors: true,
      compile: (sub: JsonSchema) => parsedCheck(keyword, parse, ajv.compile(sub)),
    });
  }
  return (schema) => {
    const validate = ajv.compile(schema);
    return (data, at) => (validate(data) ? [] : violationsOf(validate.errors ?? [], schema, data, at));
  };
}

/** Entries kept per check, and the longest input remembered: bounded whatever the traffic. */
const rememberedEntries = 1000;
const rememberedInputChars = 4096;

/**
 * A check that remembers its recent answers by input. The pods of one workload carry the same
 * annotations, and a scale-up sends hundreds of them in a burst; with allErrors and its many
 * cross-key rules the annotation schema costs about 10 µs a map, remembering about 1. (Small
 * schemas validate faster than their input serializes: they do without.) A full memory is
 * dropped whole: cheaper than an LRU, and a burst refills it at once.
 */
export function remembered(check: SchemaCheck): SchemaCheck {
  const answers = new Map<string, readonly Violation[]>();
  return (data, at) => {
    const key = `${at}\n${JSON.stringify(data)}`;
    if (key.length > rememberedInputChars) return check(data, at);
    const known = answers.get(key);
    if (known) return [...known];
    const answer = check(data, at);
    if (answers.size >= rememberedEntries) answers.clear();
    answers.set(key, answer);
    return [...answer];
  };
}

/**
 * The keyword's error carries what the message needs: the parse error, the limit the value is
 * past, or the sub-schema's own errors with the parsed value (messages.ts reads them).
 */
function parsedCheck(keyword: string, parse: (text: string) => unknown, inner: ValidateFunction): DataValidateFunction {
  const check: DataValidateFunction = (text: string) => {
    let value: unknown;
    try {
      value = parse(text);
    } catch (error) {
      const reason = (error as Error).message;
      check.errors = [
        { keyword, params: error instanceof JsonLimitError ? { limit: reason } : { parseError: reason } },
      ];
      return false;
    }
    if (inner(value)) return true;
    check.errors = [{ keyword, params: { value, errors: [...(inner.errors ?? [])] } }];
    return false;
  };
  return check;
}
