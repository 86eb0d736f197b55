import { findRawInbound, listRawInbound, resetRawInbound } from '@sotamail/db';
import { enqueueOnce } from '@sotamail/queues';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses, iso } from '../schemas/common.js';

const InboundParams = DatabaseParams.extend({ id: z.uuid() });
const InboundState = z.enum(['received', 'routed', 'ignored', 'failed']);

const InboundMessage = z.object({
  id: z.uuid(),
  source: z.enum(['imap', 'pop3', 'smtp', 'api']),
  incomingServerId: z.uuid().nullable(),
  size: z.number(),
  envelopeFrom: z.string().nullable(),
  envelopeTo: z.array(z.string()),
  state: InboundState.describe(
    'received: waiting to be routed; routed; ignored: refused, dropped or unroutable; failed',
  ),
  decision: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('What the router decided and why (action, reasons)'),
  error: z.string().nullable(),
  attempts: z.number(),
  receivedAt: z.string(),
  processedAt: z.string().nullable(),
});

/** Every stored incoming mail stays visible and can be routed again (R7.3): nothing is lost silently. */
export const inboundRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;

  app.get(
    '/v1/databases/:databaseId/inbound',
    {
      schema: {
        tags: ['inbound'],
        summary: 'Incoming mail as stored, newest first, with the routing decision or the error',
        params: DatabaseParams,
        querystring: z.object({
          state: InboundState.optional(),
          limit: z.coerce.number().int().min(1).max(500).default(50),
        }),
        response: { 200: z.object({ items: z.array(InboundMessage) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const rows = await listRawInbound(db, tenant.id, request.query);
      return {
        items: rows.map((r) => ({
          ...r,
          receivedAt: iso(r.receivedAt) ?? '',
          processedAt: iso(r.processedAt),
        })),
      };
    },
  );

  app.get(
    '/v1/databases/:databaseId/inbound/:id/raw',
    {
      schema: {
        tags: ['inbound'],
        summary: 'The message exactly as received (message/rfc822)',
        params: InboundParams,
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const row = await findRawInbound(db, tenant.id, request.params.id);
      if (!row) {
        throw notFound('Incoming message', request.params.id);
      }
      return reply.header('content-type', 'message/rfc822').send(row.raw);
    },
  );

  app.post(
    '/v1/databases/:databaseId/inbound/:id/reprocess',
    {
      schema: {
        tags: ['inbound'],
        summary: 'Route a stored mail again (after an alias was created, or a failure fixed)',
        params: InboundParams,
        response: { 202: z.object({ state: z.literal('received') }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const row = await resetRawInbound(db, tenant.id, request.params.id);
      if (!row) {
        const existing = await findRawInbound(db, tenant.id, request.params.id);
        if (!existing) {
          throw notFound('Incoming message', request.params.id);
        }
        throw new ApiError(
          'CONFLICT',
          existing.state === 'routed'
            ? 'This mail is already routed; its decision says where it went. Only ignored or failed mail is routed again.'
            : 'This mail is being routed now. Only ignored or failed mail is routed again.',
        );
      }
      await enqueueOnce(
        deps.producer,
        'route-inbound',
        { tenantId: tenant.id, rawInboundId: row.id },
        row.id,
      );
      return reply.code(202).send({ state: 'received' as const });
    },
  );
};
