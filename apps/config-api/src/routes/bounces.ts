import { listBounceEvents } from '@sotamail/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses, iso } from '../schemas/common.js';

const BounceOut = z.object({
  id: z.uuid(),
  email: z.string().describe('The address that failed, as the report names it'),
  hard: z.boolean().describe('The address itself is permanently undeliverable'),
  statusCode: z.string().nullable(),
  reason: z.string().describe("Sisimai's reason vocabulary (userunknown, mailboxfull, …)"),
  diagnostic: z.string().nullable().describe("The remote server's words"),
  kind: z.string().describe('dsn, arf, non-standard, or smtp (refused during our own SMTP session)'),
  linkedBy: z
    .enum(['smtp', 'verp', 'message_id', 'references', 'none'])
    .describe('How it was tied to a mail we sent; none: kept for an admin, changed nothing'),
  outcome: z.string().describe('What it did: bounced, or why it changed nothing'),
  note: z.string().nullable(),
  outgoingMailId: z.uuid().nullable(),
  notificationId: z.uuid().nullable(),
  rawInboundId: z.uuid().nullable().describe('The stored report: GET …/inbound/{id}/raw'),
  originalMessageId: z.string().nullable(),
  occurredAt: z.string(),
});

/**
 * The bounces read for a database, newest first (R10): linked ones explain a red envelope, unlinked
 * ones (a report naming no mail we sent, or forged) are kept here for an admin instead of dropped.
 */
export const bounceRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  app.get(
    '/v1/databases/:databaseId/bounces',
    {
      schema: {
        tags: ['bounces'],
        summary: 'Bounces read for this database, newest first; unlinked=true for the ones tied to nothing',
        params: DatabaseParams,
        querystring: z.object({
          unlinked: z
            .enum(['true', 'false'])
            .default('false')
            .transform((v) => v === 'true')
            .describe('Only the bounces that could not be tied to a mail we sent'),
          limit: z.coerce.number().int().min(1).max(500).default(100),
        }),
        response: { 200: z.object({ items: z.array(BounceOut) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const rows = await listBounceEvents(deps.handle.db, tenant.id, request.query);
      return {
        items: rows.map((b) => ({
          id: b.id,
          email: b.email,
          hard: b.hard,
          statusCode: b.statusCode,
          reason: b.reason,
          diagnostic: b.diagnostic,
          kind: b.kind,
          linkedBy: b.linkedBy,
          outcome: b.outcome,
          note: b.note,
          outgoingMailId: b.outgoingMailId,
          notificationId: b.notificationId,
          rawInboundId: b.rawInboundId,
          originalMessageId: b.originalMessageId,
          occurredAt: iso(b.occurredAt) ?? '',
        })),
      };
    },
  );
};
