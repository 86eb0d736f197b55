/**
 * Every fallible function of mail-core returns a Result instead of throwing: callers (a worker, the
 * API, the CLI) turn the error into a status or a message for a person, and never see a stack trace.
 * `null` is used only for "not configured" (e.g. no default From), which is not an error.
 */
export type MailCoreErrorCode = 'INVALID_ADDRESS';

export type MailCoreError = {
  code: MailCoreErrorCode;
  /** One sentence for a person, naming the offending value. */
  message: string;
};

export type Result<T> = { ok: true; value: T } | { ok: false; error: MailCoreError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(code: MailCoreErrorCode, message: string): Result<T> {
  return { ok: false, error: { code, message } };
}
