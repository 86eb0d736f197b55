import { schema } from '@sotamail/db';
import type { Harness } from '../apps/config-api/test/api-harness.js';
import { benchAliases, type WorldDatabase } from './inbound-mail-mix.js';

/**
 * Writes the benchmark's world: each database and its aliases through the API (as an admin would),
 * then its contacts, threads, followers and one sent notification per thread straight into PostgreSQL
 * (the Message-IDs replies answer). Returns the database ids.
 */
export async function seedWorld(h: Harness, world: WorldDatabase[]): Promise<string[]> {
  const ids: string[] = [];
  for (const w of world) {
    const created = await h.call({
      method: 'POST',
      url: '/v1/databases',
      payload: { name: w.domain, hostingType: 'on_premise', aliasDomain: w.domain },
    });
    if (created.statusCode !== 201) {
      throw new Error(`creating the database ${w.domain}: ${created.body}`);
    }
    const tenantId = created.json().id as string;
    ids.push(tenantId);
    for (const alias of benchAliases) {
      const res = await h.call({
        method: 'POST',
        url: `/v1/databases/${tenantId}/aliases`,
        payload: alias,
      });
      if (res.statusCode !== 201) {
        throw new Error(`creating the alias ${alias.name}: ${res.body}`);
      }
    }
    const { db } = h.db;
    const contacts = await db
      .insert(schema.contacts)
      .values(
        w.contacts.map((c, i) => ({
          tenantId,
          name: c.name,
          email: c.email,
          emailNormalized: c.email.toLowerCase(),
          isUser: i === 0,
        })),
      )
      .returning({ id: schema.contacts.id });
    const threads = await db
      .insert(schema.threads)
      .values(w.threads.map((t) => ({ tenantId, model: t.model, recordId: t.recordId, subject: t.subject })))
      .returning({ id: schema.threads.id });
    const contactId = (i: number) => contacts[i]?.id ?? '';
    await db
      .insert(schema.followers)
      .values(
        w.threads.flatMap((t, i) =>
          t.followers.map((f) => ({ tenantId, threadId: threads[i]?.id ?? '', contactId: contactId(f) })),
        ),
      );
    await db.insert(schema.messages).values(
      w.threads.map((t, i) => ({
        tenantId,
        threadId: threads[i]?.id ?? '',
        kind: 'comment' as const,
        authorContactId: contactId(0),
        authorEmail: w.contacts[0]?.email ?? null,
        authorName: w.contacts[0]?.name ?? null,
        subject: t.subject,
        bodyHtml: '<p>Here is your document.</p>',
        bodyText: 'Here is your document.',
        messageId: t.seedMessageId,
      })),
    );
  }
  return ids;
}
