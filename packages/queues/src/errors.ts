/**
 * The two kinds of failure every service reports. A permanent failure (invalid payload, SMTP 5xx,
 * bad recipient) is recorded and never retried; a transient one (SMTP 4xx, connection refused,
 * database or Redis down) is retried with backoff. Only the worker adapter turns these into BullMQ's
 * terms.
 */
export class PermanentError extends Error {
  override readonly name = 'PermanentError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class TransientError extends Error {
  override readonly name = 'TransientError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
