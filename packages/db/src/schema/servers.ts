import {
  bigint,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import {
  incomingAuthType,
  incomingProtocol,
  incomingServerState,
  oauthProvider,
  smtpAuthType,
  transportSecurity,
} from './enums.js';
import { tenants, timestamps } from './tenants.js';
import { aliases } from './threads.js';

/** The result of the last Test Connection / Test & Confirm, kept so the admin sees it later. */
export type ConnectionTestRecord = { ok: boolean; code: string | null; message: string; testedAt: string };

/** Outgoing SMTP servers (R2.1). Columns ending in `Sealed` hold secrets encrypted at rest (R2.3). */
export const outgoingServers = pgTable(
  'outgoing_servers',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    host: text().notNull(),
    port: integer().notNull(),
    security: transportSecurity().notNull(),
    authType: smtpAuthType().notNull(),
    username: text(),
    passwordSealed: text(),
    oauthProvider: oauthProvider(),
    oauthClientId: text(),
    oauthClientSecretSealed: text(),
    oauthRefreshTokenSealed: text(),
    clientCertPem: text(),
    clientKeySealed: text(),
    fromFilter: text(),
    priority: integer().notNull().default(10),
    active: boolean().notNull().default(true),
    /** Provider quotas (R5.2), enforced across all dispatcher instances. */
    maxPerMinute: integer(),
    maxConnections: integer(),
    lastTest: jsonb().$type<ConnectionTestRecord>(),
    ...timestamps,
  },
  (t) => [index().on(t.tenantId, t.priority)],
);

/** IMAP/POP3 mailboxes to fetch (R7.1); only `confirmed` ones are fetched. */
export const incomingServers = pgTable(
  'incoming_servers',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    protocol: incomingProtocol().notNull(),
    host: text().notNull(),
    port: integer().notNull(),
    security: transportSecurity().notNull(),
    authType: incomingAuthType().notNull(),
    username: text().notNull(),
    passwordSealed: text(),
    oauthProvider: oauthProvider(),
    oauthClientId: text(),
    oauthClientSecretSealed: text(),
    oauthRefreshTokenSealed: text(),
    folder: text().notNull().default('INBOX'),
    /** The alias whose mailbox this is: mail here routes to it even without the alias in its headers. */
    aliasId: uuid().references(() => aliases.id, { onDelete: 'set null' }),
    state: incomingServerState().notNull().default('draft'),
    /** null: the database's `mail.fetchmail.interval`. */
    fetchIntervalSeconds: integer(),
    active: boolean().notNull().default(true),
    lastTest: jsonb().$type<ConnectionTestRecord>(),
    lastFetchAt: timestamp({ withTimezone: true }),
    lastError: text(),
    ...timestamps,
  },
  (t) => [index().on(t.tenantId)],
);

/** IMAP checkpoint per folder: everything up to lastUid under this UIDVALIDITY is stored. */
export const mailboxCheckpoints = pgTable(
  'mailbox_checkpoints',
  {
    incomingServerId: uuid()
      .notNull()
      .references(() => incomingServers.id, { onDelete: 'cascade' }),
    folder: text().notNull(),
    uidValidity: text().notNull(),
    lastUid: bigint({ mode: 'number' }).notNull().default(0),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.incomingServerId, t.folder] })],
);
