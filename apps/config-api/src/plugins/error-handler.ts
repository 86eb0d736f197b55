import { driverErrorOf, isDatabaseUnavailable } from '@sotamail/db';
import type { FastifyError, FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ApiError, type ErrorCode, errorCodes } from '../errors.js';

export type ErrorBody = { error: { code: ErrorCode; message: string; requestId: string; details?: unknown } };

/** PostgreSQL error codes that are the caller's fault, with what to tell them. */
function fromPostgres(err: { code?: string; detail?: string }): ApiError | null {
  switch (err.code) {
    case '23505':
      // The constraint's detail could name another database's values: say only what clashed.
      return new ApiError(
        'CONFLICT',
        'An object with the same unique value (name, domain, address…) already exists.',
      );
    case '23503':
      return new ApiError('INVALID_REFERENCE', 'A referenced object does not exist in this database.');
    case '22P02':
      return new ApiError(
        'VALIDATION_FAILED',
        'A value has the wrong format (for example an id that is not a UUID).',
      );
    default:
      return null;
  }
}

/**
 * One error format for every 4xx/5xx: `{ error: { code, message, requestId, details? } }`. A 5xx
 * never carries the internal message or a stack; the request id lets an operator find the log line.
 */
export const errorHandlerPlugin = fp(async (app: FastifyInstance) => {
  app.setNotFoundHandler((request, reply) => {
    const body: ErrorBody = {
      error: {
        code: 'NOT_FOUND',
        message: `No route ${request.method} ${request.url.split('?')[0]}. The API is described at /docs.`,
        requestId: request.id,
      },
    };
    void reply.code(404).send(body);
  });

  app.setErrorHandler((err: FastifyError, request, reply) => {
    let apiError: ApiError;
    if (err instanceof ApiError) {
      apiError = err;
    } else if (hasZodFastifySchemaValidationErrors(err)) {
      const where = err.validationContext ?? 'request';
      const details = err.validation.map((issue) => ({
        path: `${where}${issue.instancePath.replaceAll('/', '.')}`,
        message: issue.message ?? 'invalid',
      }));
      apiError = new ApiError(
        'VALIDATION_FAILED',
        `The ${where} is not valid: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
        details,
      );
    } else if (fromPostgres(driverErrorOf(err))) {
      apiError = fromPostgres(driverErrorOf(err)) as ApiError;
    } else if (isDatabaseUnavailable(err)) {
      request.log.error({ err }, 'dependency.unavailable');
      apiError = new ApiError('SERVICE_UNAVAILABLE', 'A backing service is unavailable; try again shortly.');
    } else if (err.statusCode === 413) {
      apiError = new ApiError('PAYLOAD_TOO_LARGE', err.message);
    } else if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own client errors (bad JSON, wrong content type) have safe, readable messages.
      apiError = new ApiError('INVALID_REQUEST', err.message);
    } else {
      request.log.error({ err }, 'request.failed');
      apiError = new ApiError(
        'INTERNAL_ERROR',
        `An internal error occurred. It was logged with request id ${request.id}.`,
      );
    }
    const body: ErrorBody = {
      error: {
        code: apiError.code,
        message: apiError.message,
        requestId: request.id,
        ...(apiError.details === undefined ? {} : { details: apiError.details }),
      },
    };
    void reply.code(errorCodes[apiError.code]).send(body);
  });
});
