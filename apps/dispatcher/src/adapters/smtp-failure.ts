import { classifySmtpError } from '@sotamail/mail-core';

/** What nodemailer's errors carry about a failed SMTP send. */
export type SmtpFailure = Error & {
  code?: string;
  originalCode?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  rejected?: string[];
};

/** The outcome of a failed send, from what nodemailer reports; classifySmtpError decides. */
export function classifySendFailure(err: SmtpFailure) {
  return classifySmtpError({
    code: err.code,
    originalCode: err.originalCode,
    responseCode: err.responseCode,
    response: err.response,
    command: err.command,
    message: err.message,
    rejectedRecipient: Boolean(err.rejected?.length),
  });
}
