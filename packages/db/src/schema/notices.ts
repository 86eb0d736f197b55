import {
  date,
  index,
  integer,
  pgEnum,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { rawInboundMessages } from './inbound.js';
import { outgoingServers } from './servers.js';
import { tenants, timestamps } from './tenants.js';

export const noticeState = pgEnum('notice_state', ['ready', 'sending', 'sent', 'deferred', 'failed']);

/**
 * The polite notice a refused sender gets (R8.3, R8.4). The router inserts it in the transaction
 * that records the refusal; the unique key (database, recipient, UTC day) is the rate limit of one
 * notice per sender per day (R9): durable, and exact under concurrent routers. The text is written
 * by the router, which knows why the mail was refused; the dispatcher only wraps and sends it.
 */
export const inboundNotices = pgTable(
  'inbound_notices',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    rawInboundId: uuid().references(() => rawInboundMessages.id, { onDelete: 'set null' }),
    /** The refused sender, lower-cased. */
    recipient: text().notNull(),
    day: date({ mode: 'string' }).notNull(),
    /** Why the mail was refused, as stored in its decision. */
    reason: text().notNull(),
    subject: text().notNull(),
    bodyText: text().notNull(),
    /** The refused mail's Message-ID (no brackets): the notice's In-Reply-To and References. */
    refusedMessageId: text(),
    state: noticeState().notNull().default('ready'),
    serverId: uuid().references(() => outgoingServers.id, { onDelete: 'set null' }),
    fromHeader: text(),
    envelopeFrom: text(),
    smtpResponse: text(),
    failureReason: text(),
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }),
    sentAt: timestamp({ withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.recipient, t.day),
    index().on(t.rawInboundId),
    index().on(t.state, t.updatedAt),
  ],
);
