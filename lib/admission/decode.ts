// What makes a body an AdmissionReview we can answer. The shape lives in
// schemas/admission-review.schema.json; the server validates bodies with it before the handler
// runs, and this module turns the validator's errors into one sentence a human can act on.
import { readSchema, type JsonSchema } from '../json-schema/files.js';

export const reviewSchema: JsonSchema = readSchema('admission-review');

/** The subset of an Ajv error object that the message needs. */
export interface SchemaError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

export function describeReviewErrors(errors: readonly SchemaError[]): string {
  // `if` only reports that its `then` failed; the `then` error itself says what is missing.
  const reasons = new Set(errors.filter((e) => e.keyword !== 'if').map(describeError));
  return `invalid AdmissionReview: ${[...reasons].join('; ')}`;
}

function describeError(error: SchemaError): string {
  const field = error.instancePath.split('/').filter(Boolean).join('.');
  const params = error.params;
  switch (error.keyword) {
    case 'required':
      return `${[field, String(params.missingProperty)].filter(Boolean).join('.')} is required`;
    case 'const':
      return `${field} must be ${JSON.stringify(params.allowedValue)}`;
    case 'enum':
      return `${field} must be one of ${(params.allowedValues as unknown[]).join(', ')}`;
    case 'type':
      return `${field || 'the body'} must be of type ${String(params.type)}`;
    default:
      return `${field || 'the body'} ${error.message ?? 'is invalid'}`;
  }
}
