export { type AutomaticMail, detectAutomaticMail } from './automatic-mail.js';
export { contentFingerprint } from './content-fingerprint.js';
export {
  type AliasFact,
  decideRoute,
  type RouteAction,
  type RouteDecision,
  type RouteFacts,
} from './decide-route.js';
export { addressesOf, headerText, type ParsedMail, parseMail } from './parse-mail.js';
export { type InboundEnvelope, planInboundRoute, type RoutePlan } from './plan-route.js';
