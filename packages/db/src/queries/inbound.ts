import { and, desc, eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { DbOrTx } from '../client.js';
import {
  aliases,
  contacts,
  followers,
  messages,
  rawInboundMessages,
  tenants,
  threads,
} from '../schema/index.js';
import { namedStatement, placeholder } from './named-statement.js';
import { preparedOn } from './prepared.js';

export type RawInbound = typeof rawInboundMessages.$inferSelect;

export async function findTenantByAliasDomain(db: DbOrTx, domain: string) {
  const [row] = await db.select().from(tenants).where(eq(tenants.aliasDomain, domain.toLowerCase()));
  return row;
}

export type NewRawInbound = Pick<
  typeof rawInboundMessages.$inferInsert,
  | 'tenantId'
  | 'source'
  | 'incomingServerId'
  | 'sourceKey'
  | 'raw'
  | 'size'
  | 'sha256'
  | 'envelopeFrom'
  | 'envelopeTo'
>;

// Prepared by name: the ingress runs it for every mail, and neither Drizzle nor PostgreSQL need
// build or plan it again each time.
const insertRaw = namedStatement<{ id: string }>(
  'store_raw_inbound',
  sql`insert into raw_inbound_messages
        (tenant_id, source, incoming_server_id, source_key, raw, size, sha256, envelope_from, envelope_to)
      values (${placeholder('tenantId')}::uuid, ${placeholder('source')}::inbound_source, ${placeholder('incomingServerId')}::uuid,
              ${placeholder('sourceKey')}::text, ${placeholder('raw')}::bytea, ${placeholder('size')}::bigint, ${placeholder('sha256')}::text,
              ${placeholder('envelopeFrom')}::text, ${placeholder('envelopeTo')}::text[])
      on conflict do nothing
      returning id`,
);

/**
 * Stores a raw message before its source is acknowledged (R7.3). The source key makes a second
 * delivery of the same mail a no-op: `created` is false and the first row's id is returned. Only the
 * id comes back: echoing the stored bytes would double what crosses the wire for every mail.
 */
export async function storeRawInbound(
  db: DbOrTx,
  values: NewRawInbound,
): Promise<{ id: string; created: boolean }> {
  const [row] = await insertRaw(db, {
    ...values,
    incomingServerId: values.incomingServerId ?? null,
    envelopeFrom: values.envelopeFrom ?? null,
    envelopeTo: values.envelopeTo ?? [],
  });
  if (row) {
    return { id: row.id, created: true };
  }
  return { id: await existingRawId(db, values), created: false };
}

/**
 * storeRawInbound for several mails in one statement and one commit (the SMTP ingress groups the
 * mails its sessions receive at the same moment). The results follow the order of `rows`: a source
 * key stored before, or twice in `rows`, gives the first row's id with `created` false. Throws only
 * when the statement fails, and then nothing was stored; a row whose id could not be read afterwards
 * (a copy stored by another session meanwhile, then a lost connection) is an Error of its own.
 */
export async function storeRawInbounds(
  db: DbOrTx,
  rows: readonly NewRawInbound[],
): Promise<({ id: string; created: boolean } | Error)[]> {
  const values = rows.map(
    (v, ord) =>
      sql`(${ord}::int, ${v.tenantId}::uuid, ${v.source}::inbound_source, ${v.incomingServerId ?? null}::uuid,
           ${v.sourceKey}::text, ${v.raw}::bytea, ${v.size}::bigint, ${v.sha256}::text, ${v.envelopeFrom ?? null}::text,
           ${sql.param(v.envelopeTo ?? [])}::text[])`,
  );
  // Each row's id comes back with its place in `rows`: the new ones from the insert, the others from
  // what the statement's snapshot holds. The first of two rows with one key is the one created.
  const stored = await db.execute<{ ord: number; id: string | null; created: boolean }>(sql`
    with input (ord, tenant_id, source, incoming_server_id, source_key, raw, size, sha256, envelope_from, envelope_to)
      as (values ${sql.join(values, sql`, `)}),
    inserted as (
      insert into raw_inbound_messages
        (tenant_id, source, incoming_server_id, source_key, raw, size, sha256, envelope_from, envelope_to)
      select tenant_id, source, incoming_server_id, source_key, raw, size, sha256, envelope_from, envelope_to
        from input order by ord
      on conflict do nothing
      returning id, tenant_id, source_key
    ), ranked as (
      select ord, tenant_id, source_key,
             row_number() over (partition by tenant_id, source_key order by ord) as rank
        from input
    )
    select k.ord, coalesce(i.id, prior.id) as id, (i.id is not null and k.rank = 1) as created
      from ranked k
      left join inserted i on i.tenant_id = k.tenant_id and i.source_key = k.source_key
      -- Looked up only for a row not inserted, key by key through the (tenant, source key) index:
      -- joined plainly, a plan could read the whole table to find the few copies.
      left join lateral (
        select p.id from raw_inbound_messages p
         where i.id is null and p.tenant_id = k.tenant_id and p.source_key = k.source_key
        offset 0
      ) prior on true
     order by k.ord`);
  return Promise.all(
    stored.rows.map(async (row, ord) => {
      if (row.id) {
        return { id: row.id, created: row.created };
      }
      // Stored by another session after this statement's snapshot was taken: read it afresh.
      const values = rows[ord] as NewRawInbound;
      return existingRawId(db, values).then(
        (id) => ({ id, created: false }),
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      );
    }),
  );
}

async function existingRawId(
  db: DbOrTx,
  row: Pick<NewRawInbound, 'tenantId' | 'sourceKey'>,
): Promise<string> {
  const [existing] = await db
    .select({ id: rawInboundMessages.id })
    .from(rawInboundMessages)
    .where(
      and(eq(rawInboundMessages.tenantId, row.tenantId), eq(rawInboundMessages.sourceKey, row.sourceKey)),
    );
  if (!existing) {
    throw new Error('raw message conflict without an existing row');
  }
  return existing.id;
}

const rawInboundById = (db: DbOrTx, tenantId: unknown, id: unknown) =>
  db
    .select()
    .from(rawInboundMessages)
    .where(and(eq(rawInboundMessages.tenantId, tenantId as string), eq(rawInboundMessages.id, id as string)));
const preparedRawInbound = preparedOn((db) =>
  rawInboundById(db, sql.placeholder('tenantId'), sql.placeholder('id')).prepare('find_raw_inbound'),
);

export async function findRawInbound(
  db: DbOrTx,
  tenantId: string,
  id: string,
): Promise<RawInbound | undefined> {
  const prepared = preparedRawInbound(db);
  const [row] = prepared ? await prepared.execute({ tenantId, id }) : await rawInboundById(db, tenantId, id);
  return row;
}

/** Mail up to this size comes with its batch's query; larger mail is read on its own, when routed. */
export const rawInlineBytes = 1024 * 1024;

/**
 * Stored mails of one database by id, in one query (a routing batch); missing ids are left out. The
 * content of mail over `rawInlineBytes` is left out (`raw` null), so that a batch of large mails
 * never sits in memory at once: read it with findRawInbound.
 */
export async function findRawInbounds(
  db: DbOrTx,
  tenantId: string,
  ids: readonly string[],
): Promise<(Omit<RawInbound, 'raw'> & { raw: Buffer | null })[]> {
  const { raw, ...columns } = getTableColumns(rawInboundMessages);
  return db
    .select({
      ...columns,
      raw: sql<Buffer | null>`case when ${rawInboundMessages.size} <= ${rawInlineBytes} then ${raw} end`,
    })
    .from(rawInboundMessages)
    .where(
      and(
        sql`${rawInboundMessages.id} = any(${sql.param([...ids])}::uuid[])`,
        // The database compared as text, so that only the primary key can find the rows (as in
        // markRawInbounds): through a database index a plan read all its mail waiting to be routed.
        sql`${rawInboundMessages.tenantId}::text = ${tenantId}::uuid::text`,
      ),
    );
}

/** A stored mail's state and noted decision, without its content. */
export async function findRawInboundState(db: DbOrTx, tenantId: string, id: string) {
  const [row] = await db
    .select({
      id: rawInboundMessages.id,
      tenantId: rawInboundMessages.tenantId,
      state: rawInboundMessages.state,
      decision: rawInboundMessages.decision,
    })
    .from(rawInboundMessages)
    .where(and(eq(rawInboundMessages.tenantId, tenantId), eq(rawInboundMessages.id, id)));
  return row;
}

/** Which of these stored mails of a database are still waiting to be routed. */
export async function receivedAmong(db: DbOrTx, tenantId: string, ids: readonly string[]): Promise<string[]> {
  const rows = await db
    .select({ id: rawInboundMessages.id })
    .from(rawInboundMessages)
    .where(
      and(
        eq(rawInboundMessages.tenantId, tenantId),
        eq(rawInboundMessages.state, 'received'),
        sql`${rawInboundMessages.id} = any(${sql.param(ids)}::uuid[])`,
      ),
    );
  return rows.map((r) => r.id);
}

/**
 * The feedback-loop keys (R9.2) a decision carries (`sender`, `fingerprint`, see plan-route.ts),
 * copied into their indexed columns wherever a decision is written.
 */
export function loopKeyColumns(decision: Record<string, unknown> | null | undefined) {
  const sender = decision?.sender;
  const fingerprint = decision?.fingerprint;
  return typeof sender === 'string' && typeof fingerprint === 'string'
    ? { senderEmail: sender.toLowerCase(), contentFingerprint: fingerprint }
    : {};
}

/** Records the outcome of routing one stored mail (a failure, or inside the router's transaction). */
export async function markRawInbound(
  db: DbOrTx,
  id: string,
  values: { state: RawInbound['state']; decision?: Record<string, unknown> | null; error?: string | null },
): Promise<void> {
  await db
    .update(rawInboundMessages)
    .set({
      ...values,
      ...loopKeyColumns(values.decision),
      attempts: sql`${rawInboundMessages.attempts} + 1`,
      processedAt: sql`now()`,
    })
    .where(eq(rawInboundMessages.id, id));
}

export type RawInboundMark = {
  id: string;
  state: RawInbound['state'];
  decision: Record<string, unknown>;
};

/**
 * Records the outcomes of a routing batch in one statement. Only mail still `received` is marked: a
 * run that lost a race with another run of the same mail never overwrites the outcome that run
 * recorded. `relaxedCommit` lets the commit return before its WAL reaches the disk
 * (synchronous_commit off for this one statement's transaction; set_config(…, true) lasts until its
 * commit, so it costs no extra round trip): only for outcomes a re-run can redo from the stored mail,
 * because a crash of PostgreSQL itself may lose the last fraction of a second of such commits; the
 * mail then stays `received` and the sweep routes it again (finish-interrupted.ts completes an
 * interrupted run). Never for a commit that acknowledges mail to its sender.
 */
export async function markRawInbounds(
  db: DbOrTx,
  marks: readonly RawInboundMark[],
  options: { relaxedCommit?: boolean } = {},
): Promise<void> {
  if (marks.length === 0) {
    return;
  }
  const keys = marks.map((m) => loopKeyColumns(m.decision));
  const relaxed = options.relaxedCommit
    ? sql`and set_config('synchronous_commit', 'off', true) is not null`
    : sql``;
  await db.execute(sql`
    update ${rawInboundMessages} as r
       set state = m.state::inbound_state,
           decision = m.decision,
           sender_email = coalesce(m.sender_email, r.sender_email),
           content_fingerprint = coalesce(m.fingerprint, r.content_fingerprint),
           attempts = r.attempts + 1,
           processed_at = now()
      from unnest(${sql.param(marks.map((m) => m.id))}::uuid[],
                  ${sql.param(marks.map((m) => m.state))}::text[],
                  ${sql.param(marks.map((m) => JSON.stringify(m.decision)))}::jsonb[],
                  ${sql.param(keys.map((k) => k.senderEmail ?? null))}::text[],
                  ${sql.param(keys.map((k) => k.contentFingerprint ?? null))}::text[])
           as m(id, state, decision, sender_email, fingerprint)
     -- The state compared as text, so that only the primary key can find the rows: through the state
     -- index a plan read every mail still waiting, a long list exactly when the router is behind.
     where r.id = m.id and r.state::text = 'received' ${relaxed}`);
}

/** Stored mail still `received` after a while: its routing job may have been lost. */
export async function findUnroutedRaw(db: DbOrTx, receivedBefore: Date, limit = 500) {
  // Database by database through the (tenant, state, received_at) index, so the sweep reads only
  // waiting mail however much is stored. Oldest first, so each sweep reaches the next ones.
  const { rows } = await db.execute<{ id: string; tenant_id: string }>(sql`
    select w.id, w.tenant_id
      from tenants t
      cross join lateral (
        select id, tenant_id, received_at from raw_inbound_messages
         where tenant_id = t.id and state = 'received'
           and received_at <= ${receivedBefore.toISOString()}::timestamptz
         order by received_at
         limit ${limit}) w
     order by w.received_at
     limit ${limit}`);
  return rows.map((r) => ({ id: r.id, tenantId: r.tenant_id }));
}

/**
 * Stored mails whose routing gave up (its job used its last attempt) become `failed` with the
 * reason: listed for the admin, who can re-process them, and no longer picked up by the sweep.
 * Mail routed meanwhile is left alone.
 */
export async function failUnrouted(db: DbOrTx, tenantId: string, ids: readonly string[], error: string) {
  await db
    .update(rawInboundMessages)
    .set({ state: 'failed', error, processedAt: sql`now()` })
    .where(
      and(
        eq(rawInboundMessages.tenantId, tenantId),
        eq(rawInboundMessages.state, 'received'),
        sql`${rawInboundMessages.id} = any(${sql.param(ids)}::uuid[])`,
      ),
    );
}

/** The thread of the newest message we sent or stored whose Message-ID is one of these. */
export async function findThreadByMessageIds(db: DbOrTx, tenantId: string, messageIds: string[]) {
  if (messageIds.length === 0) {
    return undefined;
  }
  const [row] = await db
    .select({ thread: threads, messageId: messages.messageId })
    .from(messages)
    .innerJoin(threads, eq(threads.id, messages.threadId))
    .where(and(eq(messages.tenantId, tenantId), inArray(messages.messageId, messageIds)))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  return row;
}

export async function findThreadByRecord(db: DbOrTx, tenantId: string, model: string, recordId: string) {
  const [row] = await db
    .select()
    .from(threads)
    .where(and(eq(threads.tenantId, tenantId), eq(threads.model, model), eq(threads.recordId, recordId)));
  return row;
}

// Message-ID by Message-ID through the unique (tenant, Message-ID) index, each lookup kept apart
// (OFFSET 0). `message_id = any($ids)` in this prepared statement got a generic plan that scanned all
// of a database's messages (1.2 ms per mail at 3,000 messages in the inbound benchmark); a plain join
// to the ids did the same whenever the statistics undercounted the database.
export const knownMessages = (db: DbOrTx, tenantId: unknown, ids: unknown) =>
  db
    .select({ thread: threads, messageId: sql<string>`stored.message_id` })
    .from(
      sql`unnest(${Array.isArray(ids) ? sql.param(ids) : ids}::text[]) as known(id)
          cross join lateral (
            select m.message_id, m.thread_id, m.created_at from ${messages} as m
             where m.tenant_id = ${tenantId}::uuid and m.message_id = known.id
            offset 0
          ) as stored`,
    )
    .innerJoin(threads, eq(threads.id, sql`stored.thread_id`))
    .orderBy(sql`stored.created_at desc`);
const preparedKnownMessages = preparedOn((db) =>
  knownMessages(db, sql.placeholder('tenantId'), sql.placeholder('ids')).prepare('find_known_messages'),
);

/**
 * One round trip for two facts of an incoming mail: whether its own Message-ID is already stored
 * (R9.4), and the thread of the newest stored message its In-Reply-To/References name (R8.2).
 */
export async function findKnownMessages(
  db: DbOrTx,
  tenantId: string,
  ownMessageId: string,
  references: string[],
): Promise<{
  duplicate: boolean;
  replied: { thread: typeof threads.$inferSelect; messageId: string } | undefined;
}> {
  const ids = [...new Set([ownMessageId, ...references])];
  const prepared = preparedKnownMessages(db);
  const rows = prepared ? await prepared.execute({ tenantId, ids }) : await knownMessages(db, tenantId, ids);
  const named = new Set(references);
  return {
    duplicate: rows.some((r) => r.messageId === ownMessageId),
    replied: rows.find((r) => named.has(r.messageId)),
  };
}

export async function messageExists(db: DbOrTx, tenantId: string, messageId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.messageId, messageId)))
    .limit(1);
  return Boolean(row);
}

const activeAliases = (db: DbOrTx, tenantId: unknown, names: unknown) =>
  db
    .select()
    .from(aliases)
    .where(
      and(
        eq(aliases.tenantId, tenantId as string),
        eq(aliases.active, true),
        sql`${aliases.name} = any(${Array.isArray(names) ? sql.param(names) : names}::text[])`,
      ),
    );
const preparedActiveAliases = preparedOn((db) =>
  activeAliases(db, sql.placeholder('tenantId'), sql.placeholder('names')).prepare('find_active_aliases'),
);

export async function findActiveAliases(db: DbOrTx, tenantId: string, names: string[]) {
  if (names.length === 0) {
    return [];
  }
  const prepared = preparedActiveAliases(db);
  return prepared ? prepared.execute({ tenantId, names }) : activeAliases(db, tenantId, names);
}

/** Every active alias of a database: the router reads them once per batch of mails. */
export async function listActiveAliases(db: DbOrTx, tenantId: string) {
  return db
    .select()
    .from(aliases)
    .where(and(eq(aliases.tenantId, tenantId), eq(aliases.active, true)));
}

const authorContact = (db: DbOrTx, tenantId: unknown, email: unknown, threadId: unknown) =>
  db
    .select({ contact: contacts, following: sql<boolean>`${followers.contactId} is not null` })
    .from(contacts)
    .leftJoin(
      followers,
      and(eq(followers.contactId, contacts.id), sql`${followers.threadId} = ${threadId}::uuid`),
    )
    .where(and(eq(contacts.tenantId, tenantId as string), eq(contacts.emailNormalized, email as string)))
    // The id breaks ties between contacts made in one transaction (batch-lookups.ts ranks alike).
    .orderBy(sql`${followers.contactId} is null`, contacts.createdAt, contacts.id)
    .limit(1);
const preparedAuthorContact = preparedOn((db) =>
  authorContact(
    db,
    sql.placeholder('tenantId'),
    sql.placeholder('email'),
    sql.placeholder('threadId'),
  ).prepare('find_author_contact'),
);

/** The author of an incoming mail (R6.4): a contact with that address, the thread's followers first. */
export async function findAuthorContact(
  db: DbOrTx,
  tenantId: string,
  email: string,
  threadId: string | null,
) {
  const normalized = email.toLowerCase();
  const prepared = preparedAuthorContact(db);
  // Without a thread, `= null` matches no follower: every contact ranks as a non-follower.
  const [row] = prepared
    ? await prepared.execute({ tenantId, email: normalized, threadId })
    : await authorContact(db, tenantId, normalized, threadId);
  return row;
}

export async function isFollower(db: DbOrTx, threadId: string, contactId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: followers.contactId })
    .from(followers)
    .where(and(eq(followers.threadId, threadId), eq(followers.contactId, contactId)));
  return Boolean(row);
}

/** Records an alias created for this sender since a moment (the R9.1 limit). */
const aliasRecordsSince = namedStatement<{ n: number }>(
  'count_alias_records_since',
  sql`select count(*)::int as n from ${threads}
       where ${threads.createdByAliasId} = ${sql.placeholder('aliasId')}::uuid
         and ${threads.createdByEmail} = ${sql.placeholder('senderEmail')}::text
         and ${threads.createdAt} >= ${sql.placeholder('since')}::timestamptz`,
);

export async function countAliasRecordsSince(db: DbOrTx, aliasId: string, senderEmail: string, since: Date) {
  const [row] = await aliasRecordsSince(db, { aliasId, senderEmail: senderEmail.toLowerCase(), since });
  return row?.n ?? 0;
}

/** A record an alias makes for a sender's mail (createAliasThreadInTransaction). */
export type NewAliasThread = {
  tenantId: string;
  aliasId: string;
  model: string;
  recordId: string;
  subject: string;
  senderEmail: string;
  /** The sender's contact, who follows the new record (R6.4); null for an unknown sender. */
  followerContactId?: string | null;
};
export type AliasThreadResult =
  | { thread: typeof threads.$inferSelect }
  | { limited: true; count: number }
  /** Another mail with the same Message-ID (so the same record id) made the record meanwhile. */
  | { madeMeanwhile: true };

type AliasThreadRow = {
  made: number;
  /** Another mail's record has this record id: found, or committed while this statement ran. */
  conflicted: boolean;
  id: string | null;
  tenant_id: string;
  model: string;
  record_id: string;
  subject: string;
  alias_id: string | null;
  created_by_alias_id: string | null;
  created_by_email: string | null;
  created_at: Date;
  updated_at: Date;
};

// The thread a re-run finds, the sender's records in the period, the insert when there is room, and
// its follower: one statement, run after the lock, so all of it sees what the lock protects. Its
// columns are named rather than `*`: a prepared statement whose result changes shape (a column added
// to threads) fails on every connection that prepared it.
const aliasThread = namedStatement<AliasThreadRow>(
  'create_alias_thread',
  sql`
    with found as (
      select id, tenant_id, model, record_id, subject, alias_id, created_by_alias_id, created_by_email,
             created_at, updated_at
        from threads
       where tenant_id = ${placeholder('tenantId')}::uuid and model = ${placeholder('model')}::text
         and record_id = ${placeholder('recordId')}::text
    ), existing as (
      -- The record a re-run of this mail made: same alias and sender. Another sender's record for the
      -- same Message-ID is not this mail's, and its sender must not be made a follower of it.
      select * from found
       where created_by_alias_id = ${placeholder('aliasId')}::uuid and created_by_email = ${placeholder('sender')}::text
    ), made as (
      select count(*)::int as n from threads
       where created_by_alias_id = ${placeholder('aliasId')}::uuid and created_by_email = ${placeholder('sender')}::text
         and created_at >= ${placeholder('since')}::timestamptz
    ), inserted as (
      insert into threads (tenant_id, model, record_id, subject, created_by_alias_id, created_by_email)
      select ${placeholder('tenantId')}::uuid, ${placeholder('model')}::text, ${placeholder('recordId')}::text, ${placeholder('subject')}::text,
             ${placeholder('aliasId')}::uuid, ${placeholder('sender')}::text
       where not exists (select 1 from found) and (select n from made) < ${placeholder('max')}::int
      on conflict (tenant_id, model, record_id) do nothing
      returning id, tenant_id, model, record_id, subject, alias_id, created_by_alias_id, created_by_email, created_at, updated_at
    ), thread as (
      select * from existing union all select * from inserted
    ), followed as (
      insert into followers (thread_id, contact_id, tenant_id)
      select id, ${placeholder('follower')}::uuid, tenant_id from thread where ${placeholder('follower')}::uuid is not null
      on conflict do nothing
    )
    select (select n from made) as made,
           (exists (select 1 from found) and not exists (select 1 from existing))
             or (not exists (select 1 from found) and (select n from made) < ${placeholder('max')}::int
                 and not exists (select 1 from inserted)) as conflicted,
           t.id, t.tenant_id, t.model, t.record_id, t.subject, t.alias_id,
           t.created_by_alias_id, t.created_by_email, t.created_at, t.updated_at
      from (select 1) one left join thread t on true`,
);

/**
 * Creates the record of an alias for a sender unless that sender reached the alias's limit in the
 * period (R9.1), inside the caller's transaction (the router stores the mail's message in the same
 * one). Count and insert run under a lock per (alias, sender), held until that transaction ends, so
 * concurrent routers cannot both see room for one more. Idempotent per record id: a re-run returns
 * the same thread.
 */
export async function createAliasThreadInTransaction(
  tx: DbOrTx,
  values: NewAliasThread,
  limit: { max: number; since: Date },
): Promise<AliasThreadResult> {
  const sender = values.senderEmail.toLowerCase();
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${values.aliasId}:${sender}`}))`);
  const [row] = await aliasThread(tx, {
    tenantId: values.tenantId,
    model: values.model,
    recordId: values.recordId,
    subject: values.subject,
    aliasId: values.aliasId,
    sender,
    since: limit.since,
    max: limit.max,
    follower: values.followerContactId ?? null,
  });
  if (!row) {
    throw new Error('creating the alias record returned no row');
  }
  if (row.conflicted) {
    // The lock is per (alias, sender): a mail with the same Message-ID from another sender, or to
    // another alias of the model, is not kept out by it, only by the unique record id.
    return { madeMeanwhile: true as const };
  }
  if (row.id === null) {
    return { limited: true as const, count: row.made };
  }
  return {
    thread: {
      id: row.id,
      tenantId: row.tenant_id,
      model: row.model,
      recordId: row.record_id,
      subject: row.subject,
      aliasId: row.alias_id,
      createdByAliasId: row.created_by_alias_id,
      createdByEmail: row.created_by_email,
      createdAt: new Date(row.created_at),
      updatedAt: new Date(row.updated_at),
    },
  };
}

/**
 * Stored mail of a sender with the same content fingerprint since a moment, other than this one:
 * the catchall's feedback-loop check (R9.2). An index lookup on the columns the router fills
 * (raw_inbound_messages_same_content_idx), however much mail is stored.
 */
const sameContentSince = namedStatement<{ n: number }>(
  'count_same_content_since',
  sql`select count(*)::int as n from ${rawInboundMessages}
       where ${rawInboundMessages.tenantId} = ${sql.placeholder('tenantId')}::uuid
         and ${rawInboundMessages.senderEmail} = ${sql.placeholder('senderEmail')}::text
         and ${rawInboundMessages.contentFingerprint} = ${sql.placeholder('fingerprint')}::text
         and ${rawInboundMessages.receivedAt} >= ${sql.placeholder('since')}::timestamptz
         and ${rawInboundMessages.contentFingerprint} is not null
         and ${rawInboundMessages.id} <> ${sql.placeholder('exceptId')}::uuid`,
);

export async function countSameContentSince(
  db: DbOrTx,
  values: { tenantId: string; senderEmail: string; fingerprint: string; since: Date; exceptId: string },
): Promise<number> {
  const [row] = await sameContentSince(db, { ...values, senderEmail: values.senderEmail.toLowerCase() });
  return row?.n ?? 0;
}

/** Stored mail of a database, newest first, optionally in one state: what an admin reviews (R7.3). */
export async function listRawInbound(
  db: DbOrTx,
  tenantId: string,
  options: { state?: RawInbound['state']; limit: number },
) {
  return db
    .select({
      id: rawInboundMessages.id,
      source: rawInboundMessages.source,
      incomingServerId: rawInboundMessages.incomingServerId,
      size: rawInboundMessages.size,
      envelopeFrom: rawInboundMessages.envelopeFrom,
      envelopeTo: rawInboundMessages.envelopeTo,
      state: rawInboundMessages.state,
      decision: rawInboundMessages.decision,
      error: rawInboundMessages.error,
      attempts: rawInboundMessages.attempts,
      receivedAt: rawInboundMessages.receivedAt,
      processedAt: rawInboundMessages.processedAt,
    })
    .from(rawInboundMessages)
    .where(
      options.state
        ? and(eq(rawInboundMessages.tenantId, tenantId), eq(rawInboundMessages.state, options.state))
        : eq(rawInboundMessages.tenantId, tenantId),
    )
    .orderBy(desc(rawInboundMessages.receivedAt))
    .limit(options.limit);
}

/** Puts a stored mail back to be routed again (after a fix, or an alias created for it). */
export async function resetRawInbound(
  db: DbOrTx,
  tenantId: string,
  id: string,
): Promise<RawInbound | undefined> {
  // Only a mail that ended without a thread (ignored, failed) is routed again: a routed mail keeps the
  // decision that says where it went, and a mail still being routed keeps the decision its run noted.
  const [row] = await db
    .update(rawInboundMessages)
    .set({ state: 'received', error: null, decision: null })
    .where(
      and(
        eq(rawInboundMessages.tenantId, tenantId),
        eq(rawInboundMessages.id, id),
        inArray(rawInboundMessages.state, ['ignored', 'failed']),
      ),
    )
    .returning();
  return row;
}
