/**
 * Every error the API answers with has a stable code; clients branch on the code, people read the
 * message. The error handler (plugins/error-handler.ts) maps these to the one response format.
 */
export const errorCodes = {
  VALIDATION_FAILED: 400,
  INVALID_REQUEST: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  OPERATOR_ONLY: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  PORT_25_BLOCKED: 422,
  UNKNOWN_PARAMETER: 422,
  INVALID_PARAMETER: 422,
  INVALID_REFERENCE: 422,
  INVALID_ADDRESS: 422,
  PAYLOAD_TOO_LARGE: 413,
  SERVICE_UNAVAILABLE: 503,
  INTERNAL_ERROR: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly statusCode: number;
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.statusCode = errorCodes[code];
  }
}

export const notFound = (what: string, id: string) =>
  new ApiError('NOT_FOUND', `${what} ${id} does not exist.`);
