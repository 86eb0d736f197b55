// Test & Confirm of incoming servers (R7.1). The IMAP and POP3 dialogues are internal.
export {
  diagnoseMailbox,
  type MailboxDiagnosis,
  type MailboxDiagnosisContext,
  type MailboxProbeFailure,
  type MailboxProbeFailureCode,
  type MailboxProbeStep,
  type MailboxProtocol,
  type MailboxSecurity,
  mailboxProbeFailureCodes,
} from './diagnosis.js';
export {
  DEFAULT_MAILBOX_PROBE_TIMEOUT_MS,
  type MailboxProbeResult,
  probeMailbox,
} from './probe-mailbox.js';
export type { MailboxProbeCredential, MailboxProbeTarget } from './probe-target.js';
