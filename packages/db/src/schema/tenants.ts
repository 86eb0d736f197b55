import {
  type AnyPgColumn,
  date,
  index,
  integer,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uuid,
} from 'drizzle-orm/pg-core';
import { hostingType } from './enums.js';
import { outgoingServers } from './servers.js';

const timestamps = {
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
};

export { timestamps };

/** One SotaERP database. Every other row belongs to exactly one of these. */
export const tenants = pgTable('tenants', {
  id: uuid().primaryKey().defaultRandom(),
  name: text().notNull(),
  hostingType: hostingType().notNull(),
  aliasDomain: text().notNull().unique(),
  /** Emails per UTC day; null = no limit (on-premise default, R1.3). */
  dailyLimit: integer(),
  /** The mass-mailing "dedicated server" setting (R5.1). */
  massMailingServerId: uuid().references((): AnyPgColumn => outgoingServers.id, { onDelete: 'set null' }),
  ...timestamps,
});

/** Per-database API keys; only a hash is stored, the key is shown once. */
export const apiKeys = pgTable(
  'api_keys',
  {
    id: uuid().primaryKey().defaultRandom(),
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    name: text().notNull(),
    prefix: text().notNull().unique(),
    keyHash: text().notNull(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp({ withTimezone: true }),
    revokedAt: timestamp({ withTimezone: true }),
  },
  (t) => [index().on(t.tenantId)],
);

/** System parameters (`mail.default.from`, …), validated per key by the API. */
export const tenantParameters = pgTable(
  'tenant_parameters',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    key: text().notNull(),
    value: text().notNull(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.key] })],
);

/** Emails counted against the daily limit, per UTC day (R1.1). */
export const dailySendCounts = pgTable(
  'daily_send_counts',
  {
    tenantId: uuid()
      .notNull()
      .references(() => tenants.id, { onDelete: 'cascade' }),
    day: date({ mode: 'string' }).notNull(),
    sent: integer().notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.day] })],
);
