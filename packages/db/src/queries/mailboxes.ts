import { and, eq, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { aliases, incomingServers, mailboxCheckpoints, tenantParameters, tenants } from '../schema/index.js';

/** A confirmed, active IMAP or POP3 server with what a fetch session needs besides its own row. */
export type FetchableServer = {
  server: typeof incomingServers.$inferSelect;
  /** `alias@aliasDomain` when the server names the alias whose mailbox it reads (R7.1). */
  aliasAddress: string | null;
  /** The database's `mail.fetchmail.interval` (minutes, as stored), when set. */
  intervalParameter: string | null;
};

export type FetchableImapServer = FetchableServer;

export type MailboxCheckpoint = typeof mailboxCheckpoints.$inferSelect;

/** Every confirmed, active IMAP server of every database: what the fetchers should be reading. */
export function listFetchableImapServers(db: DbOrTx): Promise<FetchableServer[]> {
  return listFetchableServers(db, ['imap']);
}

/** Every confirmed, active server of these protocols, in every database. */
export async function listFetchableServers(
  db: DbOrTx,
  protocols: (typeof incomingServers.$inferSelect)['protocol'][],
): Promise<FetchableServer[]> {
  if (protocols.length === 0) {
    return [];
  }
  const rows = await db
    .select({
      server: incomingServers,
      aliasName: aliases.name,
      aliasDomain: tenants.aliasDomain,
      intervalParameter: tenantParameters.value,
    })
    .from(incomingServers)
    .innerJoin(tenants, eq(tenants.id, incomingServers.tenantId))
    .leftJoin(aliases, eq(aliases.id, incomingServers.aliasId))
    .leftJoin(
      tenantParameters,
      and(
        eq(tenantParameters.tenantId, incomingServers.tenantId),
        eq(tenantParameters.key, 'mail.fetchmail.interval'),
      ),
    )
    .where(
      and(
        inArray(incomingServers.protocol, protocols),
        eq(incomingServers.state, 'confirmed'),
        eq(incomingServers.active, true),
      ),
    );
  return rows.map((r) => ({
    server: r.server,
    aliasAddress: r.aliasName ? `${r.aliasName}@${r.aliasDomain}` : null,
    intervalParameter: r.intervalParameter,
  }));
}

export async function findMailboxCheckpoint(
  db: DbOrTx,
  incomingServerId: string,
  folder: string,
): Promise<MailboxCheckpoint | undefined> {
  const [row] = await db
    .select()
    .from(mailboxCheckpoints)
    .where(
      and(eq(mailboxCheckpoints.incomingServerId, incomingServerId), eq(mailboxCheckpoints.folder, folder)),
    );
  return row;
}

/** Everything up to `lastUid` under `uidValidity` is stored; a new UIDVALIDITY replaces the old one. */
export async function saveMailboxCheckpoint(
  db: DbOrTx,
  values: { incomingServerId: string; folder: string; uidValidity: string; lastUid: number },
): Promise<void> {
  await db
    .insert(mailboxCheckpoints)
    .values(values)
    .onConflictDoUpdate({
      target: [mailboxCheckpoints.incomingServerId, mailboxCheckpoints.folder],
      set: { uidValidity: values.uidValidity, lastUid: values.lastUid, updatedAt: sql`now()` },
    });
}

/** The outcome of a fetch, shown to the admin: when it last worked, or why it did not. */
export async function recordFetchOutcome(
  db: DbOrTx,
  incomingServerId: string,
  outcome: { ok: true } | { ok: false; error: string },
): Promise<void> {
  await db
    .update(incomingServers)
    .set(outcome.ok ? { lastFetchAt: sql`now()`, lastError: null } : { lastError: outcome.error })
    .where(eq(incomingServers.id, incomingServerId));
}

/**
 * The columns a Test & Confirm tests: a change to any of them sends the server back to draft, and a
 * test whose settings changed while it ran is not recorded.
 */
export const incomingConnectionColumns = [
  'protocol',
  'host',
  'port',
  'security',
  'authType',
  'username',
  'passwordSealed',
  'oauthProvider',
  'oauthClientId',
  'oauthClientSecretSealed',
  'oauthRefreshTokenSealed',
  'folder',
] as const;

/** What a Test & Confirm found (R7.1): recorded on the server with its new state. */
export type MailboxTestOutcome = {
  ok: boolean;
  code: string | null;
  message: string;
};

/**
 * Records a Test & Confirm: success confirms the server (it is fetched from the next scan on), a
 * failure records the error and leaves it unconfirmed. Applied only if the server's connection
 * settings are still those that were tested: an edit during the test must be tested again.
 * Returns the updated row, or undefined when the server changed or was deleted meanwhile.
 */
export async function recordMailboxTest(
  db: DbOrTx,
  values: { tested: typeof incomingServers.$inferSelect; outcome: MailboxTestOutcome },
): Promise<typeof incomingServers.$inferSelect | undefined> {
  const { outcome, tested } = values;
  const unchanged = incomingConnectionColumns.map(
    (column) => sql`${incomingServers[column]} is not distinct from ${tested[column]}`,
  );
  const [row] = await db
    .update(incomingServers)
    .set({
      state: outcome.ok ? 'confirmed' : 'draft',
      lastTest: {
        ok: outcome.ok,
        code: outcome.code,
        message: outcome.message,
        testedAt: new Date().toISOString(),
      },
      lastError: outcome.ok ? null : outcome.message,
      updatedAt: sql`now()`,
    })
    .where(
      and(eq(incomingServers.tenantId, tested.tenantId), eq(incomingServers.id, tested.id), ...unchanged),
    )
    .returning();
  return row;
}
