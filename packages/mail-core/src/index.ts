export { domainOf, normalizeAddress, type ParsedAddress, parseAddress } from './address.js';
export { type AutoReplyVerdict, detectAutoReply, subjectMarker } from './auto-reply.js';
export {
  BOUNCE_REASONS,
  type BouncedRecipient,
  type BounceReason,
  type BounceReport,
  isHardBounce,
} from './bounce/bounce-report.js';
export { classifyReason } from './bounce/classify-reason.js';
export { readBounce } from './bounce/read-bounce.js';
export {
  type BounceKind,
  type BounceSniff,
  type BounceSniffInput,
  looksLikeBounce,
} from './bounce-sniff.js';
export { encapsulateAddress } from './encapsulate.js';
export { formatAddress } from './format-address.js';
export {
  filterContainsAddress,
  filterContainsDomain,
  fromFilterParts,
  isEmptyFromFilter,
  matchesFromFilter,
} from './from-filter.js';
export {
  type HeaderMap,
  headerMap,
  headerMapFromLines,
  headerValue,
  headerValues,
} from './header-map.js';
export {
  bounceAddress,
  catchallAddress,
  defaultFromAddress,
  MAIL_PARAM_KEYS,
  type MailParamKey,
  type MailParams,
  mailParam,
} from './mail-params.js';
export { formatMessageId, parseMessageIdList, stripMessageId } from './message-id.js';
export {
  type OutgoingMailKind,
  type OutgoingRoute,
  type PlanOutgoingRouteInput,
  planOutgoingRoute,
  type RouteStep,
} from './plan-outgoing-route.js';
export { fail, type MailCoreError, type MailCoreErrorCode, ok, type Result } from './result.js';
export {
  type OutgoingServer,
  orderServers,
  type SelectionStep,
  type ServerSelection,
  selectOutgoingServer,
} from './select-outgoing-server.js';
export { nextUtcWindow, type RetryDelayOptions, retryDelayMs, utcDay } from './send-window.js';
export {
  classifySmtpError,
  SMTP_FAILURE_TYPES,
  type SmtpErrorReport,
  type SmtpFailureType,
  type SmtpOutcome,
  type SmtpOutcomeKind,
} from './smtp-outcome.js';
export { verpAddress, verpTokenOf } from './verp.js';
