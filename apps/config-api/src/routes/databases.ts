import {
  deleteTenant,
  findTenant,
  insertApiKey,
  insertTenant,
  listApiKeys,
  listTenants,
  outgoingServerRows,
  revokeApiKey,
  type Tenant,
  updateTenant,
} from '@sotamail/db';
import { generateApiKey } from '@sotamail/secrets';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { isDomain } from '../domain/mail-syntax.js';
import { defaultParameters } from '../domain/parameters.js';
import { ApiError } from '../errors.js';
import { loadTenant, requireOperator } from '../plugins/auth.js';
import { DatabaseParams, errorResponses, iso } from '../schemas/common.js';

/** Online databases get 200 emails a day unless the operator says otherwise (R1.1). */
const onlineDailyLimit = 200;

const HostingType = z.enum(['online', 'on_premise']);
const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .refine(isDomain, 'must be a domain name such as mycompany.com');

export const DatabaseSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  hostingType: HostingType,
  aliasDomain: z.string(),
  dailyLimit: z.number().int().nullable().describe('Emails per UTC day; null = no limit'),
  massMailingServerId: z.uuid().nullable().describe('Dedicated outgoing server for mass mailings (R5.1)'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const toDatabase = (t: Tenant): z.infer<typeof DatabaseSchema> => ({
  id: t.id,
  name: t.name,
  hostingType: t.hostingType,
  aliasDomain: t.aliasDomain,
  dailyLimit: t.dailyLimit,
  massMailingServerId: t.massMailingServerId,
  createdAt: iso(t.createdAt) ?? '',
  updatedAt: iso(t.updatedAt) ?? '',
});

const slug = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_]+/g, '-')
    .replace(/-+/g, '-')
    .slice(0, 50)
    .replace(/^-|-$/g, '') || 'db';

const CreateDatabase = z.object({
  name: z.string().trim().min(1).max(200),
  hostingType: HostingType,
  aliasDomain: Domain.optional().describe('Defaults to <name>.<platform mail domain> for online databases'),
  dailyLimit: z.number().int().min(0).nullable().optional(),
});

const UpdateDatabase = z
  .object({
    name: z.string().trim().min(1).max(200),
    aliasDomain: Domain,
    dailyLimit: z.number().int().min(0).nullable().describe('Operator only'),
    massMailingServerId: z.uuid().nullable(),
  })
  .partial();

const ApiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

export const databaseRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;

  app.post(
    '/v1/databases',
    {
      schema: {
        tags: ['databases'],
        summary: 'Create a database (tenant) with the default system parameters (operator)',
        body: CreateDatabase,
        response: { 201: DatabaseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      requireOperator(request);
      const body = request.body;
      const aliasDomain =
        body.aliasDomain ??
        (body.hostingType === 'online' ? `${slug(body.name)}.${deps.platformMailDomain}` : null);
      if (!aliasDomain) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'An on-premise database needs an aliasDomain (the domain of its mail aliases).',
        );
      }
      const dailyLimit =
        body.dailyLimit !== undefined
          ? body.dailyLimit
          : body.hostingType === 'online'
            ? onlineDailyLimit
            : null;
      // The platform's server may only send as the database's own domain: authors from elsewhere are
      // encapsulated in notifications@<alias domain> (the seed's default configuration, R3.3).
      const parameters =
        body.hostingType === 'online'
          ? { ...defaultParameters(), 'mail.default.from_filter': aliasDomain }
          : defaultParameters();
      const tenant = await insertTenant(
        db,
        { name: body.name, hostingType: body.hostingType, aliasDomain, dailyLimit },
        parameters,
      );
      return reply.code(201).send(toDatabase(tenant));
    },
  );

  app.get(
    '/v1/databases',
    {
      schema: {
        tags: ['databases'],
        summary: 'List the databases the caller may see',
        response: { 200: z.object({ items: z.array(DatabaseSchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const principal = request.principal;
      const rows = await listTenants(db, principal.role === 'tenant' ? principal.tenantId : undefined);
      return { items: rows.map(toDatabase) };
    },
  );

  app.get(
    '/v1/databases/:databaseId',
    {
      schema: {
        tags: ['databases'],
        summary: 'Read a database',
        params: DatabaseParams,
        response: { 200: DatabaseSchema, ...errorResponses },
      },
    },
    async (request) => toDatabase(await loadTenant(request, deps.handle, request.params.databaseId)),
  );

  app.patch(
    '/v1/databases/:databaseId',
    {
      schema: {
        tags: ['databases'],
        summary: 'Change a database; the daily limit is the operator’s to change',
        params: DatabaseParams,
        body: UpdateDatabase,
        response: { 200: DatabaseSchema, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const body = request.body;
      // The daily limit is the operator's (R1.1); so is an online database's domain, which is what the
      // platform server may send as.
      if (
        body.dailyLimit !== undefined ||
        (body.aliasDomain !== undefined && tenant.hostingType === 'online')
      ) {
        requireOperator(request);
      }
      if (body.massMailingServerId) {
        const server = await outgoingServerRows.find(db, tenant.id, body.massMailingServerId);
        if (!server) {
          throw new ApiError(
            'INVALID_REFERENCE',
            `Outgoing server ${body.massMailingServerId} does not exist in this database.`,
          );
        }
      }
      const updated = await updateTenant(db, tenant.id, body);
      if (!updated) {
        throw new ApiError('NOT_FOUND', `Database ${tenant.id} does not exist.`);
      }
      return toDatabase(updated);
    },
  );

  app.delete(
    '/v1/databases/:databaseId',
    {
      schema: {
        tags: ['databases'],
        summary: 'Delete a database and everything in it (operator)',
        params: DatabaseParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      requireOperator(request);
      if (!(await deleteTenant(db, request.params.databaseId))) {
        throw new ApiError('NOT_FOUND', `Database ${request.params.databaseId} does not exist.`);
      }
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/v1/databases/:databaseId/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Create an API key for one database (operator). The key is shown once.',
        params: DatabaseParams,
        body: z.object({ name: z.string().trim().min(1).max(100) }),
        response: {
          201: ApiKeySchema.extend({ key: z.string().describe('Shown only now; store it') }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      requireOperator(request);
      const tenant = await findTenant(db, request.params.databaseId);
      if (!tenant) {
        throw new ApiError('NOT_FOUND', `Database ${request.params.databaseId} does not exist.`);
      }
      const generated = generateApiKey();
      const row = await insertApiKey(db, {
        tenantId: tenant.id,
        name: request.body.name,
        prefix: generated.prefix,
        keyHash: generated.hash,
      });
      return reply.code(201).send({ ...toApiKey(row), key: generated.key });
    },
  );

  app.get(
    '/v1/databases/:databaseId/api-keys',
    {
      schema: {
        tags: ['api keys'],
        summary: 'List API keys (never the keys themselves)',
        params: DatabaseParams,
        response: { 200: z.object({ items: z.array(ApiKeySchema) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      return { items: (await listApiKeys(db, tenant.id)).map(toApiKey) };
    },
  );

  app.delete(
    '/v1/databases/:databaseId/api-keys/:keyId',
    {
      schema: {
        tags: ['api keys'],
        summary: 'Revoke an API key',
        params: DatabaseParams.extend({ keyId: z.uuid() }),
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      if (!(await revokeApiKey(db, tenant.id, request.params.keyId))) {
        throw new ApiError(
          'NOT_FOUND',
          `API key ${request.params.keyId} does not exist or is already revoked.`,
        );
      }
      return reply.code(204).send(null);
    },
  );
};

function toApiKey(row: Awaited<ReturnType<typeof listApiKeys>>[number]): z.infer<typeof ApiKeySchema> {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    createdAt: iso(row.createdAt) ?? '',
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
  };
}
