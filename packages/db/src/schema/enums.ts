import { pgEnum } from 'drizzle-orm/pg-core';

export const hostingType = pgEnum('hosting_type', ['online', 'on_premise']);
export const transportSecurity = pgEnum('transport_security', ['none', 'starttls', 'ssl']);
export const smtpAuthType = pgEnum('smtp_auth_type', ['none', 'password', 'xoauth2', 'certificate']);
export const oauthProvider = pgEnum('oauth_provider', ['google', 'microsoft']);
export const incomingProtocol = pgEnum('incoming_protocol', ['imap', 'pop3']);
export const incomingAuthType = pgEnum('incoming_auth_type', ['password', 'xoauth2']);
export const incomingServerState = pgEnum('incoming_server_state', ['draft', 'confirmed']);
export const contactPolicy = pgEnum('contact_policy', ['everyone', 'contacts', 'followers']);
export const messageKind = pgEnum('message_kind', ['comment', 'email', 'note']);
export const mailLane = pgEnum('mail_lane', ['transactional', 'mass']);
export const outgoingMailState = pgEnum('outgoing_mail_state', [
  'ready',
  'sending',
  'sent',
  'deferred',
  'exception',
  'bounced',
  'cancelled',
]);
export const notificationStatus = pgEnum('notification_status', [
  'ready',
  'sent',
  'deferred',
  'exception',
  'bounced',
  'cancelled',
]);
export const inboundSource = pgEnum('inbound_source', ['imap', 'pop3', 'smtp', 'api']);
export const inboundState = pgEnum('inbound_state', ['received', 'routed', 'ignored', 'failed']);
export const mailingState = pgEnum('mailing_state', ['draft', 'sending', 'done', 'cancelled']);
export const traceStatus = pgEnum('trace_status', ['pending', 'sent', 'bounced', 'skipped', 'failed']);
export const bounceLink = pgEnum('bounce_link', ['smtp', 'verp', 'message_id', 'references', 'none']);
