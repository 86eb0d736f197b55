import type { DbHandle } from '@sotamail/db';
import { findActiveApiKeyByPrefix, findTenant, type Tenant, touchApiKey } from '@sotamail/db';
import { apiKeyPrefix, hashApiKey, secretsEqual } from '@sotamail/secrets';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ApiError } from '../errors.js';

export type Principal = { role: 'operator' } | { role: 'tenant'; tenantId: string; keyId: string };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

/** Reads `Authorization: Bearer <token>`, or HTTP Basic with the token as password (for browsers). */
export function credentialOf(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (!header) {
    return null;
  }
  const [scheme, value] = header.split(' ', 2);
  if (!value) {
    return null;
  }
  if (scheme?.toLowerCase() === 'bearer') {
    return value.trim();
  }
  if (scheme?.toLowerCase() === 'basic') {
    const decoded = Buffer.from(value, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon >= 0 ? decoded.slice(colon + 1) : null;
  }
  return null;
}

export async function authenticate(
  credential: string | null,
  operatorToken: string,
  handle: DbHandle,
): Promise<Principal | null> {
  if (!credential) {
    return null;
  }
  if (secretsEqual(credential, operatorToken)) {
    return { role: 'operator' };
  }
  const prefix = apiKeyPrefix(credential);
  if (!prefix) {
    return null;
  }
  const key = await findActiveApiKeyByPrefix(handle.db, prefix);
  if (!key || !secretsEqual(key.keyHash, hashApiKey(credential))) {
    return null;
  }
  void touchApiKey(handle.db, key.id).catch(() => {});
  return { role: 'tenant', tenantId: key.tenantId, keyId: key.id };
}

/**
 * Every /v1 route needs a credential: the operator token, or an API key of one database. Which
 * database a route may touch is checked by `loadTenant`, so a key of database A gets the same 404 for
 * database B as for a database that does not exist: it cannot even learn that B exists.
 */
export const authPlugin = fp<{ operatorToken: string; handle: DbHandle }>(
  async (app: FastifyInstance, options) => {
    app.decorateRequest('principal', null as never);
    app.addHook('onRequest', async (request) => {
      // Decided on the route that matched, not on the raw URL: `/%761/…` is decoded to `/v1/…` by the
      // router, and must not slip past this check.
      const route = request.routeOptions.url;
      if (route !== undefined && !route.startsWith('/v1/')) {
        return;
      }
      const principal = await authenticate(credentialOf(request), options.operatorToken, options.handle);
      if (!principal) {
        throw new ApiError(
          'UNAUTHORIZED',
          'Missing or invalid credential. Send "Authorization: Bearer <operator token or database API key>".',
        );
      }
      request.principal = principal;
    });
  },
);

/** Fails closed: a route reached without an authenticated principal answers 401. */
function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) {
    throw new ApiError('UNAUTHORIZED', 'Missing or invalid credential.');
  }
  return request.principal;
}

export function requireOperator(request: FastifyRequest): void {
  if (principalOf(request).role !== 'operator') {
    throw new ApiError('OPERATOR_ONLY', 'Only the operator may do this.');
  }
}

export function canSee(principal: Principal, tenantId: string): boolean {
  return principal.role === 'operator' || principal.tenantId === tenantId;
}

export async function loadTenant(
  request: FastifyRequest,
  handle: DbHandle,
  tenantId: string,
): Promise<Tenant> {
  const tenant = canSee(principalOf(request), tenantId) ? await findTenant(handle.db, tenantId) : undefined;
  if (!tenant) {
    throw new ApiError('NOT_FOUND', `Database ${tenantId} does not exist.`);
  }
  return tenant;
}
