import { describe, expect, it } from 'vitest';
import { type CredentialOf, loginWithCredential, type MailboxCredential } from './mailbox-credential.js';

const refused = Object.assign(new Error('refused'), { authenticationFailed: true });
const isRefusal = (err: unknown) => (err as { authenticationFailed?: boolean }).authenticationFailed === true;

/** Credentials handed out in order, recording whether each was asked fresh. */
function credentials(list: MailboxCredential[]) {
  const asked: boolean[] = [];
  const credentialOf: CredentialOf = async ({ fresh }) => {
    asked.push(fresh);
    const next = list.shift();
    if (!next) {
      throw new Error('no credential left');
    }
    return next;
  };
  return { asked, credentialOf };
}

describe('loginWithCredential', () => {
  it('logs in with the cached access token when the server takes it', async () => {
    const c = credentials([{ type: 'xoauth2', accessToken: 'cached' }]);
    const used: string[] = [];
    await loginWithCredential(
      c.credentialOf,
      async (cr) => {
        used.push(cr.type === 'xoauth2' ? cr.accessToken : cr.password);
      },
      isRefusal,
    );
    expect(used).toEqual(['cached']);
    expect(c.asked).toEqual([false]);
  });

  it('asks once for a fresh access token when the server refuses the cached one', async () => {
    const c = credentials([
      { type: 'xoauth2', accessToken: 'cached' },
      { type: 'xoauth2', accessToken: 'fresh' },
    ]);
    const used: string[] = [];
    const result = await loginWithCredential(
      c.credentialOf,
      async (cr) => {
        const token = cr.type === 'xoauth2' ? cr.accessToken : '';
        used.push(token);
        if (token === 'cached') {
          throw refused;
        }
        return 'in';
      },
      isRefusal,
    );
    expect(result).toBe('in');
    expect(used).toEqual(['cached', 'fresh']);
    expect(c.asked).toEqual([false, true]);
  });

  it('gives up after the fresh token is refused too', async () => {
    const c = credentials([
      { type: 'xoauth2', accessToken: 'cached' },
      { type: 'xoauth2', accessToken: 'fresh' },
    ]);
    let attempts = 0;
    const login = loginWithCredential(
      c.credentialOf,
      async () => {
        attempts += 1;
        throw refused;
      },
      isRefusal,
    );
    await expect(login).rejects.toBe(refused);
    expect(attempts).toBe(2);
  });

  it.each<[string, MailboxCredential, Error]>([
    ['a refused password', { type: 'password', password: 'pw' }, refused],
    ['another failure of a token', { type: 'xoauth2', accessToken: 't' }, new Error('connection reset')],
  ])('does not retry %s', async (_name, credential, error) => {
    const c = credentials([credential]);
    let attempts = 0;
    const login = loginWithCredential(
      c.credentialOf,
      async () => {
        attempts += 1;
        throw error;
      },
      isRefusal,
    );
    await expect(login).rejects.toBe(error);
    expect(attempts).toBe(1);
  });
});
