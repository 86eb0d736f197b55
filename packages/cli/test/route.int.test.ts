import { randomBytes } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insertTenant, schema } from '@sotamail/db';
import { createTokenSigner } from '@sotamail/secrets';
import { createTestDatabase, type TestDatabase } from '@sotamail/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeCommand } from '../src/commands/route.js';

let db: TestDatabase;
let dir: string;
let tenantId: string;
let threadId: string;

beforeAll(async () => {
  db = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'sotamail-route-'));
  const tenant = await insertTenant(
    db.db,
    { name: 'cli', hostingType: 'on_premise', aliasDomain: 'cli.test' },
    { 'mail.catchall.alias': 'catchall', 'mail.bounce.alias': 'bounce' },
  );
  tenantId = tenant.id;
  const [thread] = await db.db
    .insert(schema.threads)
    .values({ tenantId, model: 'sale.order', recordId: '7' })
    .returning();
  threadId = thread?.id ?? '';
  await db.db
    .insert(schema.messages)
    .values({ tenantId, threadId, kind: 'comment', messageId: 'sent-1@cli.test' });
});

afterAll(async () => {
  await db?.drop();
});

const run = (args: string[]) =>
  routeCommand.run({ args, readStdin: async () => '', env: { DATABASE_URL: db.url } });

async function eml(name: string, text: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('sotamail route', () => {
  it.each([
    [
      'a reply',
      'From: a@x.test\r\nTo: catchall@cli.test\r\nIn-Reply-To: <sent-1@cli.test>\r\nSubject: Re\r\n\r\nok\r\n',
      'reply',
      true,
    ],
    [
      'a non-reply to the catchall',
      'From: a@x.test\r\nTo: catchall@cli.test\r\nSubject: hi\r\n\r\nhello\r\n',
      'refused',
      false,
    ],
    [
      'a delivery report',
      'From: MAILER-DAEMON@mx.test\r\nTo: bounce@cli.test\r\nSubject: Undelivered Mail Returned to Sender\r\n\r\nfailed\r\n',
      'bounce',
      false,
    ],
    [
      'mail for nobody',
      'From: a@x.test\r\nTo: nobody@cli.test\r\nSubject: hi\r\n\r\nhello\r\n',
      'unroutable',
      false,
    ],
  ])('prints the decision for %s', async (_label, text, action, toThread) => {
    const out = await run(['--database', tenantId, await eml(`${action}.eml`, text)]);
    expect(out.exitCode, out.stderr).toBe(0);
    const line = JSON.parse(out.stdout);
    expect(line.action).toBe(action);
    expect(line.thread).toBe(toThread ? threadId : null);
    expect(line.reasons.length).toBeGreaterThan(0);
  });

  it.each([
    [['x.eml'], /--database <id> is required/],
    [
      ['--database', '00000000-0000-0000-0000-000000000000', '/nonexistent/file.eml'],
      /cannot read \/nonexistent\/file\.eml: ENOENT/,
    ],
    [['--database', 'not-a-uuid', 'x.eml'], /--database <id> is required/],
  ])('refuses %j with a clear message and exit 2', async (args, message) => {
    const out = await run(args);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('recognises a reply by its signed Reply-To token when SOTAMAIL_SECRET_KEY is set', async () => {
    const key = randomBytes(32);
    const token = createTokenSigner(key, 'reply-to').sign(threadId);
    const file = await eml(
      'token.eml',
      `From: a@x.test\r\nTo: catchall+${token}@cli.test\r\nIn-Reply-To: <rewritten@provider.test>\r\nSubject: Re\r\n\r\nok\r\n`,
    );
    const withKey = await routeCommand.run({
      args: ['--database', tenantId, file],
      readStdin: async () => '',
      env: { DATABASE_URL: db.url, SOTAMAIL_SECRET_KEY: key.toString('base64') },
    });
    expect(JSON.parse(withKey.stdout)).toMatchObject({ action: 'reply', thread: threadId });
    // Without the key the token cannot be checked: the mail is a non-reply to the catchall.
    const withoutKey = await run(['--database', tenantId, file]);
    expect(JSON.parse(withoutKey.stdout)).toMatchObject({ action: 'refused', thread: null });
  });

  it('says when the database does not exist', async () => {
    const out = await run([
      '--database',
      '00000000-0000-0000-0000-000000000000',
      await eml('x.eml', 'From: a@x.test\r\n\r\nx\r\n'),
    ]);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/does not exist/);
  });

  it('refuses an id that is not a UUID before asking the database', async () => {
    const out = await run([
      '--database',
      '00000000000000000000000000000000-000',
      await eml('y.eml', 'x\r\n'),
    ]);
    expect(out.exitCode).toBe(2);
    expect(out.stderr).toMatch(/the id \(UUID\) of a database/);
  });

  it('names the cause when the database cannot be reached, not the query', async () => {
    const out = await routeCommand.run({
      args: [
        '--database',
        '00000000-0000-0000-0000-000000000000',
        await eml('z.eml', 'From: a@x.test\r\n\r\nx\r\n'),
      ],
      readStdin: async () => '',
      env: { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/none' },
    });
    expect(out.exitCode).toBe(1);
    expect(out.stderr).toMatch(/the database could not be read: .*ECONNREFUSED/);
    expect(out.stderr).not.toMatch(/select|Failed query/i);
  });
});
