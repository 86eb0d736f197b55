import { createHash } from 'node:crypto';
import { parseMail, planInboundRoute } from '@sotamail/inbound-routing';
import { createTokenSigner } from '@sotamail/secrets';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses } from '../schemas/common.js';

const RoutePreview = z.object({
  action: z.enum(['reply', 'new-record', 'bounce', 'refused', 'dropped', 'unroutable']),
  thread: z.uuid().nullable().describe('The thread a reply or a fixed-thread alias goes to'),
  alias: z.object({ id: z.uuid(), name: z.string(), model: z.string() }).nullable(),
  reasons: z.array(z.string()),
  messageId: z.string(),
  author: z.object({ email: z.string(), contactId: z.uuid().nullable() }),
  autoReply: z.boolean(),
  bounce: z.boolean(),
});

/** R8: what the router would do with a mail, and why, without doing it. */
export const routePreviewRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  // Reply-To thread tokens are signed by the dispatcher with this key and purpose (see the router).
  const threadTokens = createTokenSigner(deps.secretKey, 'reply-to');
  app.post(
    '/v1/databases/:databaseId/route-preview',
    {
      bodyLimit: 40 * 1024 * 1024,
      schema: {
        tags: ['inbound'],
        summary: 'Preview the routing of a raw email (R8), with reasons; nothing is stored or sent',
        params: DatabaseParams,
        body: z.object({
          raw: z.string().min(1).describe('The email source (RFC 5322), as text'),
          envelopeTo: z
            .array(z.string())
            .default([])
            .describe('SMTP recipients, when they are not in the headers'),
        }),
        response: { 200: RoutePreview, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const bytes = Buffer.from(request.body.raw, 'utf8');
      const mail = await parseMail(bytes).catch((err: Error) => {
        throw new ApiError('VALIDATION_FAILED', `The email cannot be parsed: ${err.message}`);
      });
      const plan = await planInboundRoute(deps.handle.db, {
        tenant,
        mail,
        envelope: {
          id: null,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          envelopeFrom: null,
          envelopeTo: request.body.envelopeTo.map((a) => a.toLowerCase()),
        },
        now: new Date(),
        raw: bytes,
        // The same check the router makes: a reply found by its signed Reply-To token previews as one.
        verifyThreadToken: (token) => threadTokens.verify(token),
      });
      const { decision } = plan;
      return {
        action: decision.action,
        thread: decision.threadId,
        alias: decision.alias
          ? { id: decision.alias.id, name: decision.alias.name, model: decision.alias.model }
          : null,
        reasons: decision.reasons,
        messageId: plan.messageId,
        author: { email: plan.senderEmail, contactId: plan.author?.contact.id ?? null },
        autoReply: plan.autoReply,
        bounce: plan.bounce,
      };
    },
  );
};
