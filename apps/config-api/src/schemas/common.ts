import { z } from 'zod';

export const DatabaseParams = z.object({ databaseId: z.uuid({ message: 'must be a database id (UUID)' }) });
export const ObjectParams = DatabaseParams.extend({ id: z.uuid({ message: 'must be an id (UUID)' }) });

export const ErrorResponse = z
  .object({
    error: z.object({
      code: z.string().describe('Stable machine-readable code, e.g. NOT_FOUND, VALIDATION_FAILED'),
      message: z.string().describe('What went wrong, for a person'),
      requestId: z.string(),
      details: z.unknown().optional(),
    }),
  })
  .describe('The one error format of every 4xx/5xx answer');

export const errorResponses = {
  400: ErrorResponse,
  401: ErrorResponse,
  403: ErrorResponse,
  404: ErrorResponse,
  409: ErrorResponse,
  422: ErrorResponse,
};

export const Timestamp = z.iso.datetime();
export const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/**
 * The body of a PATCH: every field optional and, unlike `.partial()` alone, without the defaults of
 * the create schema — a field that is not sent must stay as it is, not be reset to its default.
 */
export function patchOf<T extends z.ZodRawShape>(schema: z.ZodObject<T>) {
  const shape = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => [
      key,
      field instanceof z.ZodDefault ? field.unwrap() : field,
    ]),
  ) as { [K in keyof T]: T[K] extends z.ZodDefault<infer Inner> ? Inner : T[K] };
  return z.object(shape).partial();
}
