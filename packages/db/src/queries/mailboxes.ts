import { and, eq, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import { aliases, incomingServers, mailboxCheckpoints, tenantParameters, tenants } from '../schema/index.js';

/** A confirmed, active IMAP server with what a fetch session needs besides its own row. */
export type FetchableImapServer = {
  server: typeof incomingServers.$inferSelect;
  /** `alias@aliasDomain` when the server names the alias whose mailbox it reads (R7.1). */
  aliasAddress: string | null;
  /** The database's `mail.fetchmail.interval` (minutes, as stored), when set. */
  intervalParameter: string | null;
};

export type MailboxCheckpoint = typeof mailboxCheckpoints.$inferSelect;

/** Every confirmed, active IMAP server of every database: what the fetchers should be reading. */
export async function listFetchableImapServers(db: DbOrTx): Promise<FetchableImapServer[]> {
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
        eq(incomingServers.protocol, 'imap'),
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
