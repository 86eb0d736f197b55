export { type AutomaticMail, detectAutomaticMail } from './automatic-mail.js';
export { contentFingerprint } from './content-fingerprint.js';
export { decideNotice, type NoticeFacts, type NoticeVerdict } from './decide-notice.js';
export {
  type AliasFact,
  decideRoute,
  type Refusal,
  type RouteAction,
  type RouteDecision,
  type RouteFacts,
} from './decide-route.js';
export { type NoticeText, type NoticeTextInput, noticeText } from './notice-text.js';
export { addressesOf, headerText, type ParsedMail, parseMail } from './parse-mail.js';
export {
  type InboundEnvelope,
  loopPeriodStart,
  planInboundRoute,
  type RouteKeys,
  type RoutePlan,
  routeKeys,
  type VerifyThreadToken,
} from './plan-route.js';
export { chooseReplyThread, type ReplyClues, type ReplyThread, type ReplyVia } from './reply-thread.js';
export {
  type AuthorContact,
  databaseLookups,
  type KnownMessages,
  type RouteLookups,
  type SameContentQuery,
} from './route-lookups.js';
export { parseThreadHeader, threadHeadersInText, threadHeaderValues } from './thread-header.js';
export { splitThreadToken } from './thread-token.js';
