// The ECI annotation, ACS label and ResourcePolicy schemas, compiled into checks once per schema
// directory. The values live in the schema files; this module only binds them to their data.
import { compileProfileSchema, type ProfileSchema } from '../profile/profile-schema.js';
import { readSchema, schemasDir } from '../schemas.js';
import { remembered, schemaCompiler, type SchemaCheck } from '../schema/schema-check.js';

export interface PolicySchemas {
  /** A pod's annotation map (schemas/eci-annotations.schema.json). */
  readonly eciAnnotations: SchemaCheck;
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
  return {
    eciAnnotations: remembered(compile(readSchema('eci-annotations', dir))),
    acsLabels: compile(readSchema('acs-labels', dir)),
    resourcePolicy: compile(readSchema('resource-policy', dir)),
    eciProfile: compileProfileSchema(readSchema('eci-profile', dir), compile),
  };
}
