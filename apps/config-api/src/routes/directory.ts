import { aliasRows, contactRows, getParameters, threadRows } from '@sotamail/db';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { isAddress, isLocalPart } from '../domain/mail-syntax.js';
import { ApiError } from '../errors.js';
import { iso, patchOf } from '../schemas/common.js';
import { registerCrudRoutes } from './crud-routes.js';

const ContactPolicy = z
  .enum(['everyone', 'contacts', 'followers'])
  .describe('Who may write to the alias (R8.3)');
const Model = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$/, 'must be a model name such as crm.lead');

const AliasInput = z.object({
  name: z
    .string()
    .trim()
    .toLowerCase()
    .refine(isLocalPart, 'must be the local part of an address, e.g. sales'),
  model: Model,
  defaults: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Values given to every record the alias creates'),
  threadId: z.uuid().nullable().default(null).describe('Feed this thread instead of creating records'),
  contactPolicy: ContactPolicy.default('everyone'),
  active: z.boolean().default(true),
});
const AliasOut = AliasInput.extend({ id: z.uuid(), createdAt: z.string(), updatedAt: z.string() });

const ContactInput = z.object({
  name: z.string().trim().min(1).max(200),
  email: z.string().trim().refine(isAddress, 'must be an email address'),
  isUser: z.boolean().default(false).describe('A user of the ERP rather than an external partner'),
});
const ContactOut = ContactInput.extend({
  id: z.uuid(),
  bounceCount: z.number().int(),
  lastBounceAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const ThreadInput = z.object({
  model: Model,
  recordId: z.string().trim().min(1).max(100),
  subject: z.string().max(998).default(''),
  aliasId: z.uuid().nullable().default(null).describe('The thread’s own reply alias; else the catchall'),
});
const ThreadOut = ThreadInput.extend({ id: z.uuid(), createdAt: z.string(), updatedAt: z.string() });

const stamps = (r: { createdAt: Date; updatedAt: Date }) => ({
  createdAt: iso(r.createdAt) ?? '',
  updatedAt: iso(r.updatedAt) ?? '',
});

/** Aliases, contacts and threads: the directory that routing and notifications work from. */
export const directoryRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  registerCrudRoutes(app, deps, {
    path: 'aliases',
    noun: 'Alias',
    tag: 'aliases',
    rows: aliasRows as never,
    create: AliasInput,
    update: patchOf(AliasInput),
    out: AliasOut,
    toOut: (r: Awaited<ReturnType<typeof aliasRows.insert>>) => ({
      id: r.id,
      name: r.name,
      model: r.model,
      defaults: r.defaults,
      threadId: r.threadId,
      contactPolicy: r.contactPolicy,
      active: r.active,
      ...stamps(r),
    }),
    async toValues(input, { db, tenant }) {
      if (input.name !== undefined) {
        const params = await getParameters(db, tenant.id);
        // Compared without case, as routing compares recipients.
        const reserved = [params['mail.catchall.alias'], params['mail.bounce.alias']].map((n) =>
          n?.trim().toLowerCase(),
        );
        if (reserved.includes(input.name.toLowerCase())) {
          throw new ApiError(
            'CONFLICT',
            `"${input.name}" is the catchall or bounce alias of this database; choose another name.`,
          );
        }
      }
      if (input.threadId && !(await threadRows.find(db, tenant.id, input.threadId))) {
        throw new ApiError('INVALID_REFERENCE', `Thread ${input.threadId} does not exist in this database.`);
      }
      return input;
    },
  });

  registerCrudRoutes(app, deps, {
    path: 'contacts',
    noun: 'Contact',
    tag: 'contacts',
    rows: contactRows as never,
    create: ContactInput,
    update: patchOf(ContactInput),
    out: ContactOut,
    toOut: (r: Awaited<ReturnType<typeof contactRows.insert>>) => ({
      id: r.id,
      name: r.name,
      email: r.email,
      isUser: r.isUser,
      bounceCount: r.bounceCount,
      lastBounceAt: iso(r.lastBounceAt),
      ...stamps(r),
    }),
    async toValues(input) {
      return input.email === undefined ? input : { ...input, emailNormalized: input.email.toLowerCase() };
    },
  });

  registerCrudRoutes(app, deps, {
    path: 'threads',
    noun: 'Thread',
    tag: 'threads',
    rows: threadRows as never,
    create: ThreadInput,
    update: patchOf(ThreadInput),
    out: ThreadOut,
    toOut: (r: Awaited<ReturnType<typeof threadRows.insert>>) => ({
      id: r.id,
      model: r.model,
      recordId: r.recordId,
      subject: r.subject,
      aliasId: r.aliasId,
      ...stamps(r),
    }),
    async toValues(input, { db, tenant }) {
      if (input.aliasId && !(await aliasRows.find(db, tenant.id, input.aliasId))) {
        throw new ApiError('INVALID_REFERENCE', `Alias ${input.aliasId} does not exist in this database.`);
      }
      return input;
    },
  });
};
