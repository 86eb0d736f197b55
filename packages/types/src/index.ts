export {
  type FetchMailbox,
  FetchMailboxSchema,
  type ProcessBounce,
  ProcessBounceSchema,
  type RouteInbound,
  RouteInboundSchema,
  type SendMail,
  SendMailSchema,
  type ThreadCreated,
  ThreadCreatedSchema,
} from './jobs.js';
