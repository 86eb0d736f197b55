import { getParameters, type OutgoingServer, outgoingServerRows } from '@sotamail/db';
import { createSecretBox } from '@sotamail/secrets';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { isAddress } from '../domain/mail-syntax.js';
import { ApiError, notFound } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { errorResponses, ObjectParams } from '../schemas/common.js';
import { deriveTestSender, type SmtpProbeAuth, type SmtpProbeResult } from '../smtp-probe/index.js';
import { sealContext } from './outgoing-servers.js';

const TestResult = z.object({
  ok: z.boolean(),
  code: z.string().nullable().describe('null on success, else e.g. SMTP_AUTH_FAILED, SMTP_TLS_MISMATCH'),
  message: z.string(),
  step: z
    .string()
    .nullable()
    .describe('Where it failed: connect, tls, greeting, ehlo, starttls, auth, mail-from, rcpt-to, data'),
  sender: z.string().describe('The MAIL FROM used, derived from the From filter'),
  transcript: z.array(z.string()).describe('The SMTP dialogue, credentials redacted'),
  durationMs: z.number(),
});

type AuthOutcome = { ok: true; auth: SmtpProbeAuth } | { ok: false; result: SmtpProbeResult };

export const testConnectionRoutes: FastifyPluginAsyncZod<{ deps: AppDeps }> = async (app, { deps }) => {
  const { db } = deps.handle;

  /** Decrypts what the probe needs; an OAuth refresh failure is a test result, not an API error. */
  async function authOf(server: OutgoingServer): Promise<AuthOutcome> {
    const box = createSecretBox(deps.secretKey, sealContext(server.id));
    switch (server.authType) {
      case 'none':
        return { ok: true, auth: { type: 'none' } };
      case 'password':
        return {
          ok: true,
          auth: {
            type: 'password',
            username: server.username ?? '',
            password: box.open(server.passwordSealed ?? ''),
          },
        };
      case 'certificate':
        return {
          ok: true,
          auth: {
            type: 'certificate',
            certPem: server.clientCertPem ?? '',
            keyPem: box.open(server.clientKeySealed ?? ''),
          },
        };
      case 'xoauth2': {
        const token = await deps.oauthAccessToken({
          provider: server.oauthProvider ?? 'google',
          clientId: server.oauthClientId ?? '',
          clientSecret: box.open(server.oauthClientSecretSealed ?? ''),
          refreshToken: box.open(server.oauthRefreshTokenSealed ?? ''),
          // A test checks the refresh token as it is now, not a token cached before it was revoked.
          forceRefresh: true,
        });
        if (!token.ok) {
          return {
            ok: false,
            result: {
              ok: false,
              code: 'SMTP_AUTH_FAILED',
              message: token.message,
              step: 'auth',
              transcript: [],
              durationMs: 0,
            },
          };
        }
        return {
          ok: true,
          auth: { type: 'xoauth2', username: server.username ?? '', accessToken: token.accessToken },
        };
      }
    }
  }

  app.post(
    '/v1/databases/:databaseId/outgoing-servers/:id/test',
    {
      schema: {
        tags: ['outgoing servers'],
        summary: 'Test Connection (R2.2): TLS, AUTH, MAIL FROM, RCPT TO and DATA, then abort without sending',
        params: ObjectParams,
        body: z
          .object({
            recipient: z
              .string()
              .refine(isAddress, 'must be an email address')
              .optional()
              .describe('RCPT TO; nothing is delivered'),
          })
          .nullish(),
        response: { 200: TestResult, ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, request.params.databaseId);
      const server = await outgoingServerRows.find(db, tenant.id, request.params.id);
      if (!server) {
        throw notFound('Outgoing server', request.params.id);
      }
      const params = await getParameters(db, tenant.id);
      const defaultFrom = params['mail.default.from'] ?? null;
      const sender = deriveTestSender({
        fromFilter: server.fromFilter,
        defaultFrom,
        fallbackSender:
          defaultFrom === null
            ? null
            : defaultFrom.includes('@')
              ? defaultFrom
              : `${defaultFrom}@${tenant.aliasDomain}`,
      });
      if (!sender) {
        throw new ApiError(
          'VALIDATION_FAILED',
          'No test sender can be derived: set a From filter on the server or the mail.default.from parameter.',
        );
      }
      const auth = await authOf(server);
      const result = auth.ok
        ? await deps.probeSmtp({
            host: server.host,
            port: server.port,
            security: server.security,
            auth: auth.auth,
            sender,
            recipient: request.body?.recipient,
            logger: request.log,
          })
        : auth.result;
      const message = result.ok
        ? `Connection Test Successful! ${server.host}:${server.port} accepted the sender ${sender}.`
        : result.message;
      await outgoingServerRows.update(db, tenant.id, server.id, {
        lastTest: {
          ok: result.ok,
          code: result.ok ? null : result.code,
          message,
          testedAt: new Date().toISOString(),
        },
      });
      return {
        ok: result.ok,
        code: result.ok ? null : result.code,
        message,
        step: result.ok ? null : result.step,
        sender,
        transcript: result.transcript,
        durationMs: result.durationMs,
      };
    },
  );
};
