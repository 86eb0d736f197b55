import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, repoRoot } from './service-process.js';

export type TestDovecot = {
  imapPort: number;
  pop3Port: number;
  /** Dovecot's log, to count logins or read why one failed. */
  log: () => string;
  /** Replaces the users and passwords; Dovecot reads them at every login (a password changed on the server). */
  setUsers: (users: Record<string, string>) => void;
  stop: () => void;
};

/**
 * A throw-away Dovecot (IMAP + POP3 on loopback) with these users (`name → password`), started by
 * infra/dovecot/start-test-instance.sh in a folder of its own. `files` are written into the
 * instance's folder first (given that folder): an `extra.conf` there is read at the end of
 * dovecot.conf, e.g. to add an OAuth2 passdb.
 */
export async function startTestDovecot(
  users: Record<string, string>,
  options: { files?: (dir: string) => Record<string, string> } = {},
): Promise<TestDovecot> {
  const prefix = join(tmpdir(), 'sotamail-dovecot-');
  const tempDir = mkdtempSync(prefix);
  // As root, Dovecot's mail user must reach <tempDir>/dovecot/home (mkdtemp makes the folder 0700).
  chmodSync(tempDir, 0o711);
  const imapPort = await freePort();
  const pop3Port = await freePort();
  const passwd = join(tempDir, 'passwd');
  const setUsers = (list: Record<string, string>) =>
    writeFileSync(
      passwd,
      Object.entries(list)
        .map(([user, password]) => `${user}:${password}\n`)
        .join(''),
    );
  setUsers(users);
  const dir = join(tempDir, 'dovecot');
  mkdirSync(dir, { recursive: true });
  for (const [name, content] of Object.entries(options.files?.(dir) ?? {})) {
    writeFileSync(join(dir, name), content);
  }
  const log = () => readFileSync(join(dir, 'dovecot.log'), 'utf8');
  try {
    // No pipes: the Dovecot daemon would inherit them and execFileSync would wait for it to exit.
    execFileSync(
      'bash',
      [
        join(repoRoot, 'infra/dovecot/start-test-instance.sh'),
        dir,
        String(imapPort),
        String(pop3Port),
        passwd,
      ],
      { stdio: 'ignore' },
    );
  } catch (err) {
    throw new Error(`Dovecot did not start: ${(err as Error).message}\n${log().slice(-2000)}`);
  }
  return {
    imapPort,
    pop3Port,
    log,
    setUsers,
    stop() {
      execFileSync('bash', [join(repoRoot, 'infra/dovecot/stop-test-instance.sh'), dir], { stdio: 'ignore' });
      // Only the folder mkdtemp made, never its parent.
      if (tempDir.startsWith(prefix)) {
        rmSync(tempDir, { recursive: true, force: true });
      }
    },
  };
}
