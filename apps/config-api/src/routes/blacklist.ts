import {
  addBlacklistEntry,
  type BlacklistEntry,
  findBlacklistEntry,
  listBlacklistEntries,
  removeBlacklistEntry,
} from '@sotamail/db';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { isAddress } from '../domain/mail-syntax.js';
import { ApiError, notFound } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses, iso, ObjectParams } from '../schemas/common.js';

const Email = z.string().trim().toLowerCase().refine(isAddress, 'must be an email address');

const BlacklistEntryOut = z.object({
  id: z.uuid(),
  email: z.string(),
  active: z.boolean().describe('False once removed: the entry stays as history'),
  note: z.string().describe('Why it is on the list; for the automatic rule, the bounces that put it there'),
  source: z.enum(['manual', 'auto']).describe('auto: the bounce rule of R10.3'),
  createdBy: z.string().nullable(),
  createdAt: z.string(),
  removedAt: z.string().nullable(),
  removedBy: z.string().nullable(),
  removedNote: z.string().nullable(),
});

const toOut = (e: BlacklistEntry): z.infer<typeof BlacklistEntryOut> => ({
  id: e.id,
  email: e.email,
  active: e.active,
  note: e.note,
  source: e.source === 'auto' ? 'auto' : 'manual',
  createdBy: e.createdBy,
  createdAt: iso(e.createdAt) ?? '',
  removedAt: iso(e.removedAt),
  removedBy: e.removedBy,
  removedNote: e.removedNote,
});

/** Who did it, as recorded in the entry's history. */
const actorOf = (request: FastifyRequest) =>
  request.principal.role === 'operator' ? 'operator' : `api-key:${request.principal.keyId}`;

/**
 * The blacklist of mass mailing (R10.3, R11): addresses that are skipped, added by hand or by the
 * bounce rule. Removing an entry keeps it as history (who, when, why), so the list can be audited.
 */
export const blacklistRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;
  const base = '/v1/databases/:databaseId/blacklist';

  app.get(
    base,
    {
      schema: {
        tags: ['blacklist'],
        summary: 'Blacklisted addresses, newest first; with history=true, removed entries too',
        params: DatabaseParams,
        querystring: z.object({
          history: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true')
            .describe('Include removed entries'),
          email: Email.optional().describe('Only the entries of this address'),
        }),
        response: { 200: z.object({ items: z.array(BlacklistEntryOut) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const rows = await listBlacklistEntries(db, tenant.id, request.query);
      return { items: rows.map(toOut) };
    },
  );

  app.post(
    base,
    {
      schema: {
        tags: ['blacklist'],
        summary: 'Blacklist an address for mass mailing (transactional notifications still go out)',
        params: DatabaseParams,
        body: z.object({
          email: Email,
          note: z.string().trim().max(2_000).default('').describe('Why, for whoever reads the list later'),
        }),
        response: { 201: BlacklistEntryOut, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const { entry, created } = await addBlacklistEntry(db, {
        tenantId: tenant.id,
        email: request.body.email,
        note: request.body.note,
        source: 'manual',
        createdBy: actorOf(request),
      });
      if (!created) {
        throw new ApiError('CONFLICT', `${entry.email} is already blacklisted (entry ${entry.id}).`, {
          id: entry.id,
        });
      }
      return reply.code(201).send(toOut(entry));
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags: ['blacklist'],
        summary: 'Take an address off the blacklist; the entry is kept as history',
        params: ObjectParams,
        body: z
          .object({ note: z.string().trim().max(2_000).optional().describe('Why it was removed') })
          // Without a body Fastify hands the schema null.
          .nullish(),
        response: { 200: BlacklistEntryOut, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const removed = await removeBlacklistEntry(db, tenant.id, request.params.id, {
        removedBy: actorOf(request),
        note: request.body?.note || null,
      });
      if (removed) {
        return toOut(removed);
      }
      const existing = await findBlacklistEntry(db, tenant.id, request.params.id);
      if (!existing) {
        throw notFound('Blacklist entry', request.params.id);
      }
      throw new ApiError(
        'CONFLICT',
        `The entry ${existing.id} for ${existing.email} was already removed on ${iso(existing.removedAt)}.`,
      );
    },
  );
};
