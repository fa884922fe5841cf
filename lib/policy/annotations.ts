// The ECI annotation, ACS label and ResourcePolicy schemas, compiled into checks once per schema
// directory. The values live in the schema files; this module only binds them to their data.
import { compileProfileSchema, type ProfileSchema } from '../profile/profile-schema.js';
import { readSchema, schemasDir, type JsonSchema } from '../json-schema/files.js';
import { recordOrEmpty } from '../workload/pod-template.js';
import { remembered, schemaCompiler, type SchemaCheck } from '../json-schema/checker.js';

export interface PolicySchemas {
  /** A pod's annotation map (schemas/eci-annotations.schema.json). */
  readonly eciAnnotations: SchemaCheck;
  /** Whether a key is one of those ECI annotations (a property or pattern of that schema). */
  readonly isEciAnnotation: (key: string) => boolean;
  /** A pod's `{labels, annotations}` as ACS reads them (schemas/acs-labels.schema.json). */
  readonly acsLabels: SchemaCheck;
  /** A whole ResourcePolicy object (schemas/resource-policy.schema.json). */
  readonly resourcePolicy: SchemaCheck;
  /** The eci-profile ConfigMap (schemas/eci-profile.schema.json). */
  readonly eciProfile: ProfileSchema;
}

/** Reads and compiles the schemas: at start-up or in a test, never per request. */
export function compilePolicySchemas(dir: string = schemasDir): PolicySchemas {
  const compile = schemaCompiler();
  const annotations = readSchema('eci-annotations', dir);
  return {
    eciAnnotations: remembered(compile(annotations)),
    isEciAnnotation: keyMatcher(annotations),
    acsLabels: compile(readSchema('acs-labels', dir)),
    resourcePolicy: compile(readSchema('resource-policy', dir)),
    eciProfile: compileProfileSchema(readSchema('eci-profile', dir), compile),
  };
}

function keyMatcher(schema: JsonSchema): (key: string) => boolean {
  const keys = new Set(Object.keys(recordOrEmpty(schema.properties)));
  const patterns = Object.keys(recordOrEmpty(schema.patternProperties)).map((pattern) => new RegExp(pattern, 'u'));
  return (key) => keys.has(key) || patterns.some((pattern) => pattern.test(key));
}
