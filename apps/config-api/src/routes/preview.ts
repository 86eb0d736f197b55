import { getParameters, outgoingServerRows } from '@sotamail/db';
import { planOutgoingRoute } from '@sotamail/mail-core';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { aliasDomainParameter } from '../domain/parameters.js';
import { ApiError } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses } from '../schemas/common.js';

const Preview = z.object({
  server: z
    .object({ id: z.uuid(), name: z.string() })
    .nullable()
    .describe('null = the platform default server'),
  step: z.string().describe('Which rule chose the server (R4), or `dedicated` (R5.1)'),
  from: z.string().describe('The From header that will be sent'),
  envelopeFrom: z.string().describe('The envelope sender (MAIL FROM), before its per-mail token'),
  rewritten: z.boolean().describe('True when the From was encapsulated in the default From (R3.3)'),
  reason: z.string(),
  warning: z.string().nullable(),
});

export const previewRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;

  app.post(
    '/v1/databases/:databaseId/outgoing-route-preview',
    {
      schema: {
        tags: ['outgoing servers'],
        summary: 'Which server, From header and envelope sender a mail would get, and why (R4, R3)',
        params: DatabaseParams,
        body: z.object({
          from: z.string().min(3).max(998).describe('The author’s From, e.g. "Admin" <admin@example.com>'),
          kind: z.enum(['transactional', 'mass']).default('transactional'),
        }),
        response: { 200: Preview, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const [servers, params] = await Promise.all([
        outgoingServerRows.list(db, tenant.id),
        getParameters(db, tenant.id),
      ]);
      const plan = planOutgoingRoute({
        servers: servers.map((s) => ({
          id: s.id,
          name: s.name,
          fromFilter: s.fromFilter,
          priority: s.priority,
          active: s.active,
        })),
        params: { ...params, [aliasDomainParameter]: tenant.aliasDomain },
        from: request.body.from,
        kind: request.body.kind,
        dedicatedServerId: tenant.massMailingServerId,
      });
      if (!plan.ok) {
        throw new ApiError('INVALID_ADDRESS', plan.error.message);
      }
      const route = plan.value;
      const server = servers.find((s) => s.id === route.serverId);
      return {
        server: server ? { id: server.id, name: server.name } : null,
        step: route.step,
        from: route.fromHeader,
        envelopeFrom: route.envelopeFrom,
        rewritten: route.rewritten,
        reason: route.reason,
        // The platform's server is for online databases only (R1.1, R1.3).
        warning:
          route.serverId === null && tenant.hostingType === 'on_premise'
            ? 'This on-premise database has no active outgoing server: mail cannot be sent until one is configured.'
            : null,
      };
    },
  );
};
