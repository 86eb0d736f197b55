import { createHash, randomBytes } from 'node:crypto';
import {
  cancelDelivery,
  contactRows,
  listThreadMessages,
  postMessage,
  requeueDelivery,
  threadRows,
} from '@sotamail/db';
import { enqueueSendBatches, enqueueSendMail } from '@sotamail/queues';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { isAddress } from '../domain/mail-syntax.js';
import { ApiError, notFound } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses, iso } from '../schemas/common.js';

const ThreadParams = DatabaseParams.extend({ threadId: z.uuid() });
const NotificationParams = DatabaseParams.extend({ notificationId: z.uuid() });

const maxAttachmentBytes = 20 * 1024 * 1024;

const PostMessage = z
  .object({
    authorContactId: z.uuid().optional().describe('The author, one of the database’s contacts'),
    authorEmail: z
      .string()
      .refine(isAddress, 'must be an email address')
      .optional()
      .describe('Or an author by address'),
    authorName: z.string().max(200).optional(),
    kind: z
      .enum(['comment', 'note'])
      .default('comment')
      .describe('`note` is system mail: sent as Auto-Submitted'),
    subject: z.string().max(998).default(''),
    bodyHtml: z.string().max(5_000_000).default(''),
    bodyText: z.string().max(5_000_000).default(''),
    attachments: z
      .array(
        z.object({
          filename: z.string().min(1).max(255),
          contentType: z.string().min(3).max(255).default('application/octet-stream'),
          contentBase64: z.string().describe('The file, base64-encoded'),
        }),
      )
      .max(50)
      .default([]),
  })
  .refine((m) => m.bodyHtml.trim() !== '' || m.bodyText.trim() !== '' || m.attachments.length > 0, {
    message: 'a message needs a body or an attachment',
  });

const Notification = z.object({
  id: z.uuid(),
  contactId: z.uuid().nullable(),
  email: z.string(),
  status: z.enum(['ready', 'sent', 'deferred', 'exception', 'bounced', 'cancelled']),
  failureType: z.string().nullable(),
  failureReason: z.string().nullable(),
  updatedAt: z.string(),
});

const Message = z.object({
  id: z.uuid(),
  threadId: z.uuid(),
  kind: z.enum(['comment', 'email', 'note']),
  authorContactId: z.uuid().nullable(),
  authorEmail: z.string().nullable(),
  authorName: z.string().nullable(),
  subject: z.string(),
  bodyHtml: z.string(),
  bodyText: z.string(),
  messageId: z.string().describe('The RFC 5322 Message-ID, without brackets'),
  createdAt: z.string(),
  hasFailure: z.boolean().describe('The red envelope (R6.3): a recipient failed or bounced'),
  notifications: z.array(Notification),
});

type Row = Awaited<ReturnType<typeof listThreadMessages>>[number];

const toMessage = ({ message: m, notifications }: Row): z.infer<typeof Message> => ({
  id: m.id,
  threadId: m.threadId,
  kind: m.kind,
  authorContactId: m.authorContactId,
  authorEmail: m.authorEmail,
  authorName: m.authorName,
  subject: m.subject,
  bodyHtml: m.bodyHtml,
  bodyText: m.bodyText,
  messageId: m.messageId,
  createdAt: iso(m.createdAt) ?? '',
  hasFailure: notifications.some((n) => n.status === 'exception' || n.status === 'bounced'),
  notifications: notifications.map((n) => ({
    id: n.id,
    contactId: n.contactId,
    email: n.email,
    status: n.status,
    failureType: n.failureType,
    failureReason: n.failureReason,
    updatedAt: iso(n.updatedAt) ?? '',
  })),
});

export const messageRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;

  app.post(
    '/v1/databases/:databaseId/threads/:threadId/messages',
    {
      bodyLimit: 40 * 1024 * 1024,
      schema: {
        tags: ['messages'],
        summary:
          'Post a message in a thread: every follower but the author is emailed, asynchronously (R6.1)',
        params: ThreadParams,
        body: PostMessage,
        response: { 202: Message, ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const thread = await threadRows.find(db, tenant.id, request.params.threadId);
      if (!thread) {
        throw notFound('Thread', request.params.threadId);
      }
      const body = request.body;
      let authorEmail = body.authorEmail ?? null;
      let authorName = body.authorName ?? null;
      if (body.authorContactId) {
        const contact = await contactRows.find(db, tenant.id, body.authorContactId);
        if (!contact) {
          throw new ApiError(
            'INVALID_REFERENCE',
            `Contact ${body.authorContactId} does not exist in this database.`,
          );
        }
        authorEmail = contact.email;
        authorName = authorName ?? contact.name;
      }
      const files = body.attachments.map((a) => {
        const content = Buffer.from(a.contentBase64, 'base64');
        if (content.length > maxAttachmentBytes) {
          throw new ApiError(
            'PAYLOAD_TOO_LARGE',
            `Attachment "${a.filename}" is over ${maxAttachmentBytes / 1024 / 1024} MB.`,
          );
        }
        return {
          filename: a.filename,
          contentType: a.contentType,
          content,
          sha256: createHash('sha256').update(content).digest('hex'),
        };
      });
      const posted = await postMessage(db, {
        tenantId: tenant.id,
        threadId: thread.id,
        kind: body.kind,
        authorContactId: body.authorContactId ?? null,
        authorEmail,
        authorName,
        subject: body.subject,
        bodyHtml: body.bodyHtml,
        bodyText: body.bodyText,
        messageId: `${randomBytes(12).toString('hex')}.${Date.now()}@${tenant.aliasDomain}`,
        attachments: files,
      });
      // Committed first, queued second: if Redis is away now, the dispatcher's release loop finds
      // the mails and queues them later. Nothing is lost either way.
      try {
        await enqueueSendBatches(deps.producer, {
          tenantId: tenant.id,
          lane: 'transactional',
          ids: posted.outgoingMailIds,
        });
      } catch (err) {
        request.log.warn({ err, messageId: posted.message.id }, 'message.enqueue_deferred');
      }
      const [row] = (await listThreadMessages(db, tenant.id, thread.id)).filter(
        (r) => r.message.id === posted.message.id,
      );
      return reply.code(202).send(toMessage(row ?? { message: posted.message, notifications: [] }));
    },
  );

  app.get(
    '/v1/databases/:databaseId/threads/:threadId/messages',
    {
      schema: {
        tags: ['messages'],
        summary: 'The chatter: messages with each recipient’s delivery state and the red envelope (R6.3)',
        params: ThreadParams,
        response: { 200: z.object({ items: z.array(Message) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      if (!(await threadRows.find(db, tenant.id, request.params.threadId))) {
        throw notFound('Thread', request.params.threadId);
      }
      return { items: (await listThreadMessages(db, tenant.id, request.params.threadId)).map(toMessage) };
    },
  );

  app.post(
    '/v1/databases/:databaseId/notifications/:notificationId/retry',
    {
      schema: {
        tags: ['messages'],
        summary: 'Send a failed, bounced or cancelled notification again',
        params: NotificationParams,
        response: { 202: z.object({ status: z.literal('ready') }), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const result = await requeueDelivery(db, tenant.id, request.params.notificationId);
      if (!result.found) {
        throw notFound('Notification', request.params.notificationId);
      }
      if (!result.mail) {
        throw new ApiError('CONFLICT', 'Only a failed, bounced or cancelled notification can be retried.');
      }
      await enqueueSendMail(deps.producer, result.mail);
      return reply.code(202).send({ status: 'ready' as const });
    },
  );

  app.post(
    '/v1/databases/:databaseId/notifications/:notificationId/cancel',
    {
      schema: {
        tags: ['messages'],
        summary: 'Cancel a notification that has not been sent',
        params: NotificationParams,
        response: { 200: z.object({ status: z.literal('cancelled') }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const result = await cancelDelivery(db, tenant.id, request.params.notificationId);
      if (!result.found) {
        throw notFound('Notification', request.params.notificationId);
      }
      if (!result.cancelled) {
        throw new ApiError(
          'CONFLICT',
          'This notification was already sent (or is being sent) and cannot be cancelled.',
        );
      }
      return { status: 'cancelled' as const };
    },
  );
};
