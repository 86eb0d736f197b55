import { sql } from 'drizzle-orm';
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { inboundSource, inboundState } from './enums.js';
import { incomingServers } from './servers.js';
import { tenants } from './tenants.js';
import { bytea } from './threads.js';

/**
 * Every fetched or received mail, committed before the mailbox is acknowledged (R7.3) and kept for
 * audit and re-processing. `sourceKey` identifies it at its source — `imap:<server>:<sha256>`,
 * `smtp:<sha256>` (content hashes, so a re-scan or a re-delivery stores nothing twice) — so a second fetch of the same mail inserts nothing.
 */
export const rawInboundMessages = pgTable(
  'raw_inbound_messages',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    source: inboundSource().notNull(),
    incomingServerId: uuid().references(() => incomingServers.id, { onDelete: 'set null' }),
    sourceKey: text().notNull(),
    raw: bytea().notNull(),
    size: bigint({ mode: 'number' }).notNull(),
    sha256: text().notNull(),
    envelopeFrom: text(),
    envelopeTo: text().array().notNull().default(sql`'{}'::text[]`),
    state: inboundState().notNull().default('received'),
    /** The routing decision and its reasons, once routed. */
    decision: jsonb().$type<Record<string, unknown>>(),
    /**
     * The sender and content fingerprint the router noted (also in `decision`), as columns so the
     * catchall's feedback-loop check (R9.2) is an index lookup rather than a scan of all stored mail.
     */
    senderEmail: text(),
    contentFingerprint: text(),
    error: text(),
    attempts: integer().notNull().default(0),
    receivedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    uniqueIndex().on(t.tenantId, t.sourceKey),
    index().on(t.tenantId, t.state, t.receivedAt),
    index('raw_inbound_messages_same_content_idx')
      .on(t.tenantId, t.senderEmail, t.contentFingerprint, t.receivedAt)
      .where(sql`${t.contentFingerprint} is not null`),
    // Deleting an incoming server follows this reference (set null); mail from SMTP has none.
    index().on(t.incomingServerId).where(sql`${t.incomingServerId} is not null`),
  ],
);
