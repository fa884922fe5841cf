// schemas/eci-profile.schema.json compiled: the data map, the selectors list (its $defs.selectors,
// checked once the JSON string is parsed), and the field names the schema knows.
import type { SchemaCheck } from '../json-schema/checker.js';
import type { JsonSchema } from '../json-schema/files.js';
import { recordOrEmpty } from '../workload/pod-template.js';

export interface ProfileSchema {
  readonly data: SchemaCheck;
  readonly selectors: SchemaCheck;
  readonly dataKeys: ReadonlySet<string>;
  readonly selectorFields: ReadonlySet<string>;
  /** Fields of the Selector CRD that the ConfigMap ignores. */
  readonly crdOnlyFields: ReadonlySet<string>;
}

export function compileProfileSchema(schema: JsonSchema, compile: (schema: JsonSchema) => SchemaCheck): ProfileSchema {
  const defs = recordOrEmpty(schema.$defs);
  const selectors = recordOrEmpty(defs.selectors);
  const item = recordOrEmpty(selectors.items);
  return {
    data: compile(schema),
    // A root of its own, carrying the $defs its local references point into.
    selectors: compile({ $schema: schema.$schema, ...selectors, $defs: defs }),
    dataKeys: new Set(Object.keys(recordOrEmpty(schema.properties))),
    selectorFields: new Set(Object.keys(recordOrEmpty(item.properties))),
    crdOnlyFields: new Set(Array.isArray(item['x-crd-only']) ? (item['x-crd-only'] as string[]) : []),
  };
}
