import { aliasRows, type IncomingServer, incomingServerRows } from '@sotamail/db';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { ApiError } from '../errors.js';
import { iso, patchOf } from '../schemas/common.js';
import { registerCrudRoutes } from './crud-routes.js';
import { serverColumns } from './server-columns.js';

const Secret = z.string().min(1).max(20_000).nullable();

const IncomingServerInput = z.object({
  name: z.string().trim().min(1).max(200),
  protocol: z.enum(['imap', 'pop3']),
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: z.enum(['none', 'starttls', 'ssl']),
  authType: z.enum(['password', 'xoauth2']).default('password'),
  username: z.string().trim().min(1).max(320),
  password: Secret.optional().describe('Write-only; stored encrypted'),
  oauthProvider: z.enum(['google', 'microsoft']).nullable().default(null),
  oauthClientId: z.string().trim().min(1).nullable().default(null),
  oauthClientSecret: Secret.optional().describe('Write-only; stored encrypted'),
  oauthRefreshToken: Secret.optional().describe('Write-only; stored encrypted'),
  folder: z
    .string()
    .trim()
    .min(1)
    .max(500)
    .default('INBOX')
    .describe('IMAP folder to fetch (ignored for POP3)'),
  aliasId: z.uuid().nullable().default(null).describe('The alias whose mailbox this is (R7.1)'),
  fetchIntervalSeconds: z
    .number()
    .int()
    .min(10)
    .max(86_400)
    .nullable()
    .default(null)
    .describe('null = the database’s mail.fetchmail.interval'),
  active: z.boolean().default(true),
});

const IncomingServerOut = IncomingServerInput.omit({
  password: true,
  oauthClientSecret: true,
  oauthRefreshToken: true,
}).extend({
  id: z.uuid(),
  state: z
    .enum(['draft', 'confirmed'])
    .describe('Only confirmed servers are fetched; settings changes return it to draft'),
  hasPassword: z.boolean(),
  hasOauthClientSecret: z.boolean(),
  hasOauthRefreshToken: z.boolean(),
  lastTest: z
    .object({ ok: z.boolean(), code: z.string().nullable(), message: z.string(), testedAt: z.string() })
    .nullable(),
  lastFetchAt: z.string().nullable(),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const secretColumns = {
  password: 'passwordSealed',
  oauthClientSecret: 'oauthClientSecretSealed',
  oauthRefreshToken: 'oauthRefreshTokenSealed',
} as const;

const connectionFields = ['protocol', 'host', 'port', 'security', 'authType', 'username', 'folder'];

export const incomingServerRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  registerCrudRoutes(app, deps, {
    path: 'incoming-servers',
    noun: 'Incoming server',
    tag: 'incoming servers',
    rows: incomingServerRows as never,
    create: IncomingServerInput,
    update: patchOf(IncomingServerInput),
    out: IncomingServerOut,
    toOut: (r: IncomingServer) => ({
      id: r.id,
      name: r.name,
      protocol: r.protocol,
      host: r.host,
      port: r.port,
      security: r.security,
      authType: r.authType,
      username: r.username,
      oauthProvider: r.oauthProvider,
      oauthClientId: r.oauthClientId,
      folder: r.folder,
      aliasId: r.aliasId,
      fetchIntervalSeconds: r.fetchIntervalSeconds,
      active: r.active,
      state: r.state,
      hasPassword: r.passwordSealed !== null,
      hasOauthClientSecret: r.oauthClientSecretSealed !== null,
      hasOauthRefreshToken: r.oauthRefreshTokenSealed !== null,
      lastTest: r.lastTest,
      lastFetchAt: iso(r.lastFetchAt),
      lastError: r.lastError,
      createdAt: iso(r.createdAt) ?? '',
      updatedAt: iso(r.updatedAt) ?? '',
    }),
    async toValues(input, { db, tenant, existing }) {
      const current = existing as IncomingServer | undefined;
      const values = serverColumns('incoming', deps.secretKey, input, secretColumns, current?.id);
      const merged = { ...current, ...values } as Partial<IncomingServer>;
      if (merged.authType === 'password' && !merged.passwordSealed) {
        throw new ApiError('VALIDATION_FAILED', 'Authentication "password" needs a password.');
      }
      if (
        merged.authType === 'xoauth2' &&
        !(
          merged.oauthProvider &&
          merged.oauthClientId &&
          merged.oauthClientSecretSealed &&
          merged.oauthRefreshTokenSealed
        )
      ) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'Authentication "xoauth2" needs an OAuth provider, a client id, a client secret and a refresh token.',
        );
      }
      if (input.aliasId && !(await aliasRows.find(db, tenant.id, input.aliasId))) {
        throw new ApiError('INVALID_REFERENCE', `Alias ${input.aliasId} does not exist in this database.`);
      }
      // New connection settings must be tested and confirmed again before they are fetched (R7.1).
      const credentialsChanged = Object.values(secretColumns).some((c) => c in values);
      if (current && (credentialsChanged || connectionFields.some((k) => k in values))) {
        values.state = 'draft';
        values.lastTest = null;
      }
      return values;
    },
  });
};
