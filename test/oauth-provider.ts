import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startTestDovecot, type TestDovecot } from '@sotamail/test-support';

/**
 * A local OAuth2 provider for the XOAUTH2 tests, standing in for Google's or Microsoft's: a token
 * endpoint (refresh-token grant) and the introspection endpoint Dovecot's oauth2 passdb asks whether
 * an access token is valid and whose it is.
 */
export type FakeOAuthProvider = {
  tokenUrl: string;
  introspectionUrl: string;
  clientId: string;
  clientSecret: string;
  /** A refresh token for this mailbox user; `tokenLength` pads the access tokens it gives (Microsoft's are long). */
  grant: (user: string, options?: { tokenLength?: number }) => string;
  /** The refresh token now answers invalid_grant, as after the user revoked the app's access. */
  revoke: (refreshToken: string) => void;
  /** Access tokens issued so far stop being valid (revoked before their expiry). */
  expireAccessTokens: () => void;
  /** The token endpoint answers 503 while true. */
  setDown: (down: boolean) => void;
  /** Refresh-token grants answered with a token. */
  exchanges: () => number;
  close: () => Promise<void>;
};

function readBody(req: IncomingMessage): Promise<URLSearchParams> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => resolve(new URLSearchParams(body)));
    req.on('error', reject);
  });
}

export async function startFakeOAuthProvider(): Promise<FakeOAuthProvider> {
  const clientId = 'sotamail-test-client';
  const clientSecret = randomBytes(12).toString('hex');
  const grants = new Map<string, { user: string; tokenLength: number; revoked: boolean }>();
  const accessTokens = new Map<string, { user: string; active: boolean }>();
  let exchanges = 0;
  let down = false;

  const server: Server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    readBody(req).then(
      (form) => {
        if (req.method === 'POST' && req.url === '/token') {
          if (down) {
            send(503, { error: 'temporarily_unavailable' });
            return;
          }
          if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) {
            send(401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
            return;
          }
          const grant = grants.get(form.get('refresh_token') ?? '');
          if (form.get('grant_type') !== 'refresh_token' || !grant || grant.revoked) {
            send(400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
            return;
          }
          exchanges += 1;
          const base = `at-${randomBytes(12).toString('hex')}`;
          const accessToken = base.padEnd(grant.tokenLength, 'x');
          accessTokens.set(accessToken, { user: grant.user, active: true });
          send(200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer' });
          return;
        }
        if (req.method === 'POST' && req.url === '/introspect') {
          // Dovecot's introspection_mode = post: the token in a form body.
          const token = accessTokens.get(form.get('token') ?? '');
          send(200, token?.active ? { active: 'true', email: token.user } : { active: 'false' });
          return;
        }
        send(404, { error: 'not_found' });
      },
      () => send(400, { error: 'invalid_request' }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tokenUrl: `${base}/token`,
    introspectionUrl: `${base}/introspect`,
    clientId,
    clientSecret,
    grant(user, options = {}) {
      const refreshToken = `rt-${randomBytes(12).toString('hex')}`;
      grants.set(refreshToken, { user, tokenLength: options.tokenLength ?? 0, revoked: false });
      return refreshToken;
    },
    revoke(refreshToken) {
      const grant = grants.get(refreshToken);
      if (grant) {
        grant.revoked = true;
      }
    },
    expireAccessTokens() {
      for (const token of accessTokens.values()) {
        token.active = false;
      }
    },
    setDown(value) {
      down = value;
    },
    exchanges: () => exchanges,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * A throw-away Dovecot that also accepts XOAUTH2 and OAUTHBEARER, checking tokens against
 * `introspectionUrl`. The users also have passwords, so the test can put mail in their mailboxes
 * with APPEND.
 */
export function startOAuthDovecot(
  users: Record<string, string>,
  introspectionUrl: string,
): Promise<TestDovecot> {
  return startTestDovecot(users, {
    files: (dir) => ({
      'oauth2.conf.ext': [
        `introspection_url = ${introspectionUrl}`,
        'introspection_mode = post',
        'force_introspection = yes',
        'username_attribute = email',
        'active_attribute = active',
        'active_value = true',
        '',
      ].join('\n'),
      // Read by the start script at the end of dovecot.conf: the later auth_mechanisms wins.
      'extra.conf': [
        'auth_mechanisms = plain login xoauth2 oauthbearer',
        'passdb {',
        '  driver = oauth2',
        '  mechanisms = xoauth2 oauthbearer',
        `  args = ${join(dir, 'oauth2.conf.ext')}`,
        '}',
        '',
      ].join('\n'),
    }),
  });
}
