// The SMTP "Test Connection" probe (R2.2). The connection class and the reply parser are internal.
export {
  type Diagnosis,
  type DiagnosisContext,
  diagnose,
  type ProbeFailure,
  type SmtpAuthType,
  type SmtpProbeFailureCode,
  type SmtpProbeStep,
  type SmtpSecurity,
  smtpProbeFailureCodes,
} from './diagnosis.js';
export { probeSmtpServer } from './probe-smtp-server.js';
// The names the app's dependency type (deps.ts) uses.
export type {
  SmtpProbeOptions as ProbeSmtpInput,
  SmtpProbeResult as ProbeSmtpResult,
} from './smtp-probe-options.js';
export {
  DEFAULT_PROBE_TIMEOUT_MS,
  DEFAULT_TEST_RECIPIENT,
  type SmtpProbeAuth,
  type SmtpProbeFailed,
  type SmtpProbeLogger,
  type SmtpProbeOptions,
  type SmtpProbeResult,
  type SmtpProbeSucceeded,
} from './smtp-probe-options.js';
export { defaultFromLocalPart, deriveTestSender, type TestSenderInput } from './test-sender.js';
