import {
  aliasRows,
  type DbOrTx,
  deleteParameter,
  getParameters,
  setParameter,
  updateTenant,
} from '@sotamail/db';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { aliasDomainParameter, checkParameter, parameterDefinitions } from '../domain/parameters.js';
import { ApiError } from '../errors.js';
import { loadTenant, requireOperator } from '../plugins/auth.js';
import { DatabaseParams, errorResponses } from '../schemas/common.js';

const ParameterList = z.object({
  items: z.array(
    z.object({
      key: z.string(),
      value: z.string().nullable().describe('null = not set'),
      default: z.string().nullable(),
      description: z.string(),
    }),
  ),
});
const KeyParams = DatabaseParams.extend({ key: z.string().min(1).max(100) });

/**
 * On an online database these decide which From addresses the platform's shared server sends: a
 * database may not widen them itself, or it could send as any domain on the platform's reputation.
 */
const platformSendingKeys = new Set(['mail.default.from_filter', aliasDomainParameter]);

function guardPlatformSending(request: FastifyRequest, hosting: 'online' | 'on_premise', key: string): void {
  if (hosting === 'online' && platformSendingKeys.has(key)) {
    requireOperator(request);
  }
}

export const parameterRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;

  app.get(
    '/v1/databases/:databaseId/parameters',
    {
      schema: {
        tags: ['parameters'],
        summary: 'Read the system parameters',
        params: DatabaseParams,
        response: { 200: ParameterList, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const values = await getParameters(db, tenant.id);
      return {
        items: [
          {
            key: aliasDomainParameter,
            value: tenant.aliasDomain,
            default: null,
            description: 'The alias domain of the database (catchall, bounce and aliases live here).',
          },
          ...Object.entries(parameterDefinitions).map(([key, d]) => ({
            key,
            value: values[key] ?? null,
            default: d.default,
            description: d.description,
          })),
        ],
      };
    },
  );

  app.put(
    '/v1/databases/:databaseId/parameters/:key',
    {
      schema: {
        tags: ['parameters'],
        summary: 'Set a system parameter (validated per key)',
        params: KeyParams,
        body: z.object({ value: z.string() }),
        response: { 200: z.object({ key: z.string(), value: z.string() }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const { key } = request.params;
      guardPlatformSending(request, tenant.hostingType, key);
      const given = request.body.value.trim();
      const check = checkParameter(key, given);
      if (!check.ok) {
        throw new ApiError(check.code, check.message);
      }
      // Routing compares local parts without case: the system aliases are stored as it reads them.
      const value = key in systemAliasKeys ? given.toLowerCase() : given;
      await refuseSystemAliasClash(db, tenant.id, key, value);
      if (key === aliasDomainParameter) {
        await updateTenant(db, tenant.id, { aliasDomain: value.toLowerCase() });
        return { key, value: value.toLowerCase() };
      }
      await setParameter(db, tenant.id, key, value);
      return { key, value };
    },
  );

  app.delete(
    '/v1/databases/:databaseId/parameters/:key',
    {
      schema: {
        tags: ['parameters'],
        summary: 'Reset a system parameter to its default (or unset it when it has none)',
        params: KeyParams,
        response: { 200: z.object({ key: z.string(), value: z.string().nullable() }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const { key } = request.params;
      guardPlatformSending(request, tenant.hostingType, key);
      const definition = parameterDefinitions[key];
      if (!definition) {
        throw new ApiError(
          key === aliasDomainParameter ? 'INVALID_PARAMETER' : 'UNKNOWN_PARAMETER',
          key === aliasDomainParameter
            ? `${key} cannot be unset; set another domain instead.`
            : `Unknown parameter "${key}".`,
        );
      }
      if (definition.default === null) {
        await deleteParameter(db, tenant.id, key);
      } else {
        await refuseSystemAliasClash(db, tenant.id, key, definition.default);
        await setParameter(db, tenant.id, key, definition.default);
      }
      return { key, value: definition.default };
    },
  );
};

/** The catchall and bounce aliases, each with the other. */
const systemAliasKeys: Record<string, string> = {
  'mail.catchall.alias': 'mail.bounce.alias',
  'mail.bounce.alias': 'mail.catchall.alias',
};

/**
 * The catchall and the bounce address must be neither an alias of the database nor each other:
 * routing takes a mail to an alias for a new record before it sees the catchall (R8.3 before R8.4),
 * and mail to the bounce address for a delivery report, so a clash would make the catchall create
 * records or swallow every reply.
 */
async function refuseSystemAliasClash(db: DbOrTx, tenantId: string, key: string, value: string) {
  const otherKey = systemAliasKeys[key];
  if (!otherKey) {
    return;
  }
  const name = value.toLowerCase();
  const other = (await getParameters(db, tenantId))[otherKey]?.trim().toLowerCase();
  if (other === name) {
    throw new ApiError(
      'CONFLICT',
      `"${name}" is already ${otherKey}: the catchall and the bounce address must differ.`,
    );
  }
  if ((await aliasRows.list(db, tenantId)).some((a) => a.name.toLowerCase() === name)) {
    throw new ApiError(
      'CONFLICT',
      `"${name}" is the name of an alias of this database: mail to it would make records. Rename the alias first, or choose another name.`,
    );
  }
}
