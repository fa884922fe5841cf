// The body of every answer that is not a review: fastify's shape (statusCode, error, message), with
// the HTTP reason phrase as `error`. Fastify's own codes (FST_ERR_...) name its internals, which a
// client can do nothing with; the message says what was wrong and what the webhook takes instead.
import { STATUS_CODES } from 'node:http';

export interface ErrorBody {
  readonly statusCode: number;
  readonly error: string;
  readonly message: string;
}

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
}
