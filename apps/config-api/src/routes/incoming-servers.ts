import {
  aliasRows,
  type IncomingServer,
  incomingConnectionColumns,
  incomingServerRows,
  recordMailboxTest,
} from '@sotamail/db';
import { createSecretBox, serverSecretContext } from '@sotamail/secrets';
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { ApiError, notFound } from '../errors.js';
import {
  DEFAULT_MAILBOX_PROBE_TIMEOUT_MS,
  diagnoseMailbox,
  type MailboxDiagnosis,
  type MailboxProbeCredential,
  type MailboxProbeResult,
  probeMailbox,
} from '../mailbox-probe/index.js';
import { loadTenant } from '../plugins/auth.js';
import { errorResponses, iso, ObjectParams, patchOf } from '../schemas/common.js';
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

/** The answer of Test & Confirm: the shape of the outgoing Test Connection, without its sender. */
const MailboxTestResult = z.object({
  ok: z.boolean(),
  code: z
    .string()
    .nullable()
    .describe(
      'null on success, else e.g. MAILBOX_AUTH_FAILED, MAILBOX_CONNECTION_REFUSED, MAILBOX_FOLDER_MISSING, MAILBOX_OAUTH_GRANT_REVOKED, MAILBOX_OAUTH_REFUSED',
    ),
  message: z.string(),
  step: z
    .string()
    .nullable()
    .describe('Where it failed: connect, tls, greeting, starttls, auth, folder (IMAP SELECT / POP3 STAT)'),
  transcript: z.array(z.string()).describe('The dialogue, password masked'),
  durationMs: z.number(),
  state: z
    .enum(['draft', 'confirmed'])
    .describe('The server’s state after the test: confirmed only on success'),
});

/** A Test & Confirm that ended before any connection, with its diagnosis. */
const failedBeforeConnecting = (diagnosis: MailboxDiagnosis): { result: MailboxProbeResult } => ({
  result: { ok: false, ...diagnosis, transcript: [], durationMs: 0 },
});

/**
 * The credential for the probe: the decrypted password, or for OAuth2 an access token freshly
 * exchanged for the stored refresh token (never a cached one: a revoked refresh token must fail the
 * test now, not in an hour). Otherwise the result that explains why there is nothing to test with.
 */
async function credentialOf(
  server: IncomingServer,
  deps: AppDeps,
): Promise<{ credential: MailboxProbeCredential } | { result: MailboxProbeResult }> {
  const invalid = (problem: string) =>
    failedBeforeConnecting({
      code: 'MAILBOX_INVALID_SETTINGS',
      step: 'auth',
      message: `The test cannot run: ${problem}.`,
    });
  const box = createSecretBox(deps.secretKey, serverSecretContext('incoming', server.id));
  if (server.authType === 'password') {
    if (!server.passwordSealed) {
      return invalid('this server has no password: set one, then test again');
    }
    try {
      return { credential: { type: 'password', password: box.open(server.passwordSealed) } };
    } catch {
      return invalid(
        'the password of this server cannot be decrypted (the secret key changed since it was stored): set it again',
      );
    }
  }
  const { oauthProvider, oauthClientId, oauthClientSecretSealed, oauthRefreshTokenSealed } = server;
  if (!(oauthProvider && oauthClientId && oauthClientSecretSealed && oauthRefreshTokenSealed)) {
    return invalid('OAuth2 needs a provider, a client id, a client secret and a refresh token');
  }
  let clientSecret: string;
  let refreshToken: string;
  try {
    clientSecret = box.open(oauthClientSecretSealed);
    refreshToken = box.open(oauthRefreshTokenSealed);
  } catch {
    return invalid(
      'the OAuth2 client secret or refresh token cannot be decrypted (the secret key changed since they were stored): set them again',
    );
  }
  const token = await deps.oauthAccessToken({
    provider: oauthProvider,
    clientId: oauthClientId,
    clientSecret,
    refreshToken,
    forceRefresh: true,
  });
  if (!token.ok) {
    return failedBeforeConnecting(
      diagnoseMailbox(
        { kind: 'oauth-token', code: token.code, message: token.message },
        {
          protocol: server.protocol,
          host: server.host,
          port: server.port,
          security: server.security,
          folder: server.folder,
          timeoutMs: DEFAULT_MAILBOX_PROBE_TIMEOUT_MS,
        },
      ),
    );
  }
  return { credential: { type: 'xoauth2', accessToken: token.accessToken } };
}

export const incomingServerRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  app.withTypeProvider<ZodTypeProvider>().post(
    '/v1/databases/:databaseId/incoming-servers/:id/test',
    {
      schema: {
        tags: ['incoming servers'],
        summary:
          'Test & Confirm (R7.1): connect, TLS, log in, open the folder (IMAP) or STAT (POP3); confirms the server on success. Nothing is deleted or flagged',
        params: ObjectParams,
        response: { 200: MailboxTestResult, ...errorResponses },
      },
    },
    async (request) => {
      const { db } = deps.handle;
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const server = await incomingServerRows.find(db, tenant.id, request.params.id);
      if (!server) {
        throw notFound('Incoming server', request.params.id);
      }
      const found = await credentialOf(server, deps);
      const result =
        'result' in found
          ? found.result
          : await probeMailbox({
              protocol: server.protocol,
              host: server.host,
              port: server.port,
              security: server.security,
              username: server.username,
              credential: found.credential,
              folder: server.folder,
              timeoutMs: DEFAULT_MAILBOX_PROBE_TIMEOUT_MS,
            });
      request.log.info(
        { incomingServerId: server.id, ok: result.ok, code: result.ok ? null : result.code },
        'incoming.test',
      );
      const code = result.ok ? null : result.code;
      const updated = await recordMailboxTest(db, {
        tested: server,
        outcome: { ok: result.ok, code, message: result.message },
      });
      if (!updated) {
        throw new ApiError(
          'CONFLICT',
          'The server was changed or deleted while it was being tested: test it again.',
        );
      }
      return {
        ok: result.ok,
        code,
        message: result.message,
        step: result.ok ? null : result.step,
        transcript: result.transcript,
        durationMs: result.durationMs,
        state: updated.state,
      };
    },
  );

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
      if (current && incomingConnectionColumns.some((column) => column in values)) {
        values.state = 'draft';
        values.lastTest = null;
      }
      return values;
    },
  });
};
