import { addFollower, contactRows, listFollowers, removeFollower, threadRows } from '@sotamail/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses, iso } from '../schemas/common.js';

const ThreadParams = DatabaseParams.extend({ threadId: z.uuid() });
const FollowerParams = ThreadParams.extend({ contactId: z.uuid() });
const Follower = z.object({
  contactId: z.uuid(),
  name: z.string(),
  email: z.string(),
  followingSince: z.string(),
});

export const followerRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;

  const loadThread = async (tenantId: string, threadId: string) => {
    const thread = await threadRows.find(db, tenantId, threadId);
    if (!thread) {
      throw notFound('Thread', threadId);
    }
    return thread;
  };

  app.get(
    '/v1/databases/:databaseId/threads/:threadId/followers',
    {
      schema: {
        tags: ['threads'],
        summary: 'List the followers of a thread',
        params: ThreadParams,
        response: { 200: z.object({ items: z.array(Follower) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      await loadThread(tenant.id, request.params.threadId);
      const rows = await listFollowers(db, tenant.id, request.params.threadId);
      return { items: rows.map((r) => ({ ...r, followingSince: iso(r.followingSince) ?? '' })) };
    },
  );

  app.put(
    '/v1/databases/:databaseId/threads/:threadId/followers/:contactId',
    {
      schema: {
        tags: ['threads'],
        summary: 'Make a contact follow a thread (idempotent)',
        params: FollowerParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      await loadThread(tenant.id, request.params.threadId);
      if (!(await contactRows.find(db, tenant.id, request.params.contactId))) {
        throw notFound('Contact', request.params.contactId);
      }
      await addFollower(db, tenant.id, request.params.threadId, request.params.contactId);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/v1/databases/:databaseId/threads/:threadId/followers/:contactId',
    {
      schema: {
        tags: ['threads'],
        summary: 'Stop a contact following a thread',
        params: FollowerParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      if (!(await removeFollower(db, tenant.id, request.params.threadId, request.params.contactId))) {
        throw notFound('Follower', request.params.contactId);
      }
      return reply.code(204).send(null);
    },
  );
};
