import { type OutgoingServer, outgoingServerRows } from '@sotamail/db';
import { serverSecretContext } from '@sotamail/secrets';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { type OutgoingServerSettings, outgoingServerProblem } from '../domain/server-rules.js';
import { ApiError } from '../errors.js';
import { iso, patchOf } from '../schemas/common.js';
import { registerCrudRoutes } from './crud-routes.js';
import { serverColumns } from './server-columns.js';

const Secret = z.string().min(1).max(20_000).nullable();

const OutgoingServerInput = z.object({
  name: z.string().trim().min(1).max(200),
  host: z.string().trim().min(1).max(253),
  port: z.number().int().min(1).max(65535),
  security: z
    .enum(['none', 'starttls', 'ssl'])
    .describe('none, STARTTLS, or SSL/TLS (implicit TLS, usually port 465)'),
  authType: z.enum(['none', 'password', 'xoauth2', 'certificate']).default('none'),
  username: z.string().trim().min(1).max(320).nullable().default(null),
  password: Secret.optional().describe('Write-only; stored encrypted'),
  oauthProvider: z.enum(['google', 'microsoft']).nullable().default(null),
  oauthClientId: z.string().trim().min(1).nullable().default(null),
  oauthClientSecret: Secret.optional().describe('Write-only; stored encrypted'),
  oauthRefreshToken: Secret.optional().describe('Write-only; stored encrypted'),
  clientCertPem: z.string().min(1).nullable().default(null),
  clientKeyPem: Secret.optional().describe('Write-only; stored encrypted'),
  fromFilter: z
    .string()
    .trim()
    .nullable()
    .transform((v) => (v === '' ? null : v))
    .default(null)
    .describe('Empty, a domain, a full address, or a comma-separated list of those'),
  priority: z.number().int().min(0).max(1_000_000).default(10).describe('Lower is preferred'),
  active: z.boolean().default(true),
  maxPerMinute: z
    .number()
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe('Provider quota, e.g. 30 for Microsoft 365'),
  maxConnections: z
    .number()
    .int()
    .min(1)
    .nullable()
    .default(null)
    .describe('Provider limit, e.g. 3 for Microsoft 365'),
});

const ConnectionTest = z.object({
  ok: z.boolean(),
  code: z.string().nullable(),
  message: z.string(),
  testedAt: z.string(),
});

const OutgoingServerOut = OutgoingServerInput.omit({
  password: true,
  oauthClientSecret: true,
  oauthRefreshToken: true,
  clientKeyPem: true,
}).extend({
  id: z.uuid(),
  hasPassword: z.boolean(),
  hasOauthClientSecret: z.boolean(),
  hasOauthRefreshToken: z.boolean(),
  fromFilter: z.string().nullable(),
  hasClientKey: z.boolean(),
  lastTest: ConnectionTest.nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** The secret fields of the API and the columns that hold them sealed. */
const secretColumns = {
  password: 'passwordSealed',
  oauthClientSecret: 'oauthClientSecretSealed',
  oauthRefreshToken: 'oauthRefreshTokenSealed',
  clientKeyPem: 'clientKeySealed',
} as const;

export const sealContext = (serverId: string) => serverSecretContext('outgoing', serverId);

export function toOutgoingServerOut(r: OutgoingServer): z.infer<typeof OutgoingServerOut> {
  return {
    id: r.id,
    name: r.name,
    host: r.host,
    port: r.port,
    security: r.security,
    authType: r.authType,
    username: r.username,
    oauthProvider: r.oauthProvider,
    oauthClientId: r.oauthClientId,
    clientCertPem: r.clientCertPem,
    fromFilter: r.fromFilter,
    priority: r.priority,
    active: r.active,
    maxPerMinute: r.maxPerMinute,
    maxConnections: r.maxConnections,
    hasPassword: r.passwordSealed !== null,
    hasOauthClientSecret: r.oauthClientSecretSealed !== null,
    hasOauthRefreshToken: r.oauthRefreshTokenSealed !== null,
    hasClientKey: r.clientKeySealed !== null,
    lastTest: r.lastTest,
    createdAt: iso(r.createdAt) ?? '',
    updatedAt: iso(r.updatedAt) ?? '',
  };
}

export const outgoingServerRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  registerCrudRoutes(app, deps, {
    path: 'outgoing-servers',
    noun: 'Outgoing server',
    tag: 'outgoing servers',
    rows: outgoingServerRows as never,
    create: OutgoingServerInput,
    update: patchOf(OutgoingServerInput),
    out: OutgoingServerOut,
    toOut: toOutgoingServerOut,
    async toValues(input, { tenant, existing }) {
      const current = existing as OutgoingServer | undefined;
      const values = serverColumns('outgoing', deps.secretKey, input, secretColumns, current?.id);
      const merged = { ...current, ...values } as Partial<OutgoingServer>;
      const settings: OutgoingServerSettings = {
        port: merged.port ?? 0,
        security: merged.security ?? 'none',
        authType: merged.authType ?? 'none',
        username: merged.username ?? null,
        hasPassword: Boolean(merged.passwordSealed),
        oauthProvider: merged.oauthProvider ?? null,
        oauthClientId: merged.oauthClientId ?? null,
        hasOauthClientSecret: Boolean(merged.oauthClientSecretSealed),
        hasOauthRefreshToken: Boolean(merged.oauthRefreshTokenSealed),
        clientCertPem: merged.clientCertPem ?? null,
        hasClientKey: Boolean(merged.clientKeySealed),
        fromFilter: merged.fromFilter ?? null,
      };
      const problem = outgoingServerProblem(tenant.hostingType, settings);
      if (problem) {
        throw new ApiError(problem.code, problem.message);
      }
      // A changed connection invalidates the last test result.
      if (current && ['host', 'port', 'security', 'authType', 'username'].some((k) => k in values)) {
        values.lastTest = null;
      }
      return values;
    },
  });
};
