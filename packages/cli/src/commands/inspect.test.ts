import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeFsError, inspect, inspectCommand } from './inspect.js';

const crlf = (text: string) => text.replace(/\r?\n/g, '\r\n');

const vacation = crlf(`Return-Path: <>
Received: from mx.example.org by mx.mycompany.com; Tue, 3 Mar 2026 10:00:01 +0100
From: Alice <alice@example.org>
To: bounce+a1b2@mycompany.com
Subject: =?UTF-8?Q?R=C3=A9ponse_automatique=C2=A0:_Your_order?=
Date: Tue, 3 Mar 2026 10:00:00 +0100
Message-ID: <vacation-1@example.org>
Auto-Submitted: auto-replied (vacation)
Precedence: bulk
Content-Type: text/plain; charset=UTF-8

I am away until Monday.
`);

const humanReply = crlf(`Return-Path: <bob@example.org>
From: Bob <bob@example.org>
To: "Sales" <sales@mycompany.com>
Subject: Re: Out of office policy
Date: Tue, 3 Mar 2026 10:05:00 +0100
Message-ID: <CAF+human-1@mail.example.org>
In-Reply-To: <thread-1@mycompany.com>
References: <thread-1@mycompany.com>
MIME-Version: 1.0
Content-Type: text/plain; charset=UTF-8

Thanks, that works for me.
`);

// A delivery-status report in RFC 3464 form, as Postfix writes it, with the original's headers.
const dsn = crlf(`Return-Path: <>
From: MAILER-DAEMON@mx.example.org (Mail Delivery System)
To: bounce+a1b2@mycompany.com
Subject: Undelivered Mail Returned to Sender
Date: Tue, 3 Mar 2026 10:10:00 +0100
Message-ID: <20260303091000.ABCDEF@mx.example.org>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="ABCDEF.1772529000/mx.example.org"

--ABCDEF.1772529000/mx.example.org
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

I'm sorry to have to inform you that your message could not
be delivered to one or more recipients.

<nobody@example.org>: host mx.example.org said: 550 5.1.1 <nobody@example.org>:
    Recipient address rejected: User unknown in local recipient table

--ABCDEF.1772529000/mx.example.org
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org
Arrival-Date: Tue,  3 Mar 2026 10:09:59 +0100

Final-Recipient: rfc822; nobody@example.org
Original-Recipient: rfc822;nobody@example.org
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 <nobody@example.org>: Recipient address rejected:
    User unknown in local recipient table

--ABCDEF.1772529000/mx.example.org
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

From: "Sales" <notifications@mycompany.com>
To: nobody@example.org
Subject: Your order
Message-ID:
 <outgoing-42@mycompany.com>

--ABCDEF.1772529000/mx.example.org--
`);

// The same kind of report attaching the whole original (message/rfc822), from a Gmail-like sender.
const dsnWithOriginal = crlf(`From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: notifications@mycompany.com
Subject: Delivery Status Notification (Failure)
Message-ID: <gmail-dsn-1@mx.google.com>
MIME-Version: 1.0
Content-Type: multipart/report; boundary="b1"; report-type=delivery-status

--b1
Content-Type: text/plain; charset=UTF-8

Address not found
--b1
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com

Final-Recipient: rfc822; gone@example.com
Action: failed
Status: 5.1.1

--b1
Content-Type: message/rfc822

From: notifications@mycompany.com
To: gone@example.com
Message-ID: <outgoing-43@mycompany.com>
Subject: hi

hello
--b1--
`);

// Exim's plain-text bounce: no report part, the failed address and the server's words in the text.
const eximText = crlf(`Return-Path: <>
From: Mail Delivery System <Mailer-Daemon@mx.example.net>
To: notifications@mycompany.com
Subject: Mail delivery failed: returning message to sender
Message-Id: <E1exim-1@mx.example.net>
X-Failed-Recipients: full@example.net

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  full@example.net
    host mx.example.net [192.0.2.9]: 552 5.2.2 Mailbox is full

------ This is a copy of the message, including all the headers. ------

Message-Id: <outgoing-44@mycompany.com>
To: full@example.net
Subject: Your invoice
`);

// A DSN that reports a delivery: no failure to read, but it has the format of a report, so the line
// keeps the kind with no recipients.
const successDsn = crlf(`From: MAILER-DAEMON@mx.example.org
To: notifications@mycompany.com
Subject: Successful Mail Delivery Report
Message-ID: <success-1@mx.example.org>
Content-Type: multipart/report; report-type=delivery-status; boundary="b2"

--b2
Content-Type: text/plain

Delivered.
--b2
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.org

Final-Recipient: rfc822; happy@example.org
Action: delivered
Status: 2.0.0
--b2--
`);

const noMessageId = crlf(`From: carol@example.org
To: sales@mycompany.com
Subject: Hello

Hi.
`);

let dir = '';
const path = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sotamail-inspect-'));
  await writeFile(path('vacation.eml'), vacation);
  await writeFile(path('human.eml'), humanReply);
  await writeFile(path('dsn.eml'), dsn);
  await writeFile(path('dsn-original.eml'), dsnWithOriginal);
  await writeFile(path('no-id.eml'), noMessageId);
  await writeFile(path('exim.eml'), eximText);
  await writeFile(path('success-dsn.eml'), successDsn);
  await writeFile(path('lf-only.eml'), humanReply.replace(/\r\n/g, '\n'));
  await writeFile(path('empty.eml'), '');
  // A PNG signature and chunk header: binary, with NUL bytes.
  await writeFile(
    path('image.eml'),
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0xff]),
  );
  await writeFile(path('text.eml'), 'just some words\nwithout any header at all\n');
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const lines = (stdout: string) =>
  stdout
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as unknown);

describe('inspect', () => {
  it.each<[string, Record<string, unknown>]>([
    ['vacation.eml', { messageId: 'vacation-1@example.org', autoReply: true, bounce: null }],
    ['human.eml', { messageId: 'CAF+human-1@mail.example.org', autoReply: false, bounce: null }],
    ['lf-only.eml', { messageId: 'CAF+human-1@mail.example.org', autoReply: false, bounce: null }],
    [
      'dsn.eml',
      {
        messageId: '20260303091000.ABCDEF@mx.example.org',
        autoReply: true,
        bounce: {
          recipients: [
            {
              address: 'nobody@example.org',
              status: '5.1.1',
              hard: true,
              reason: 'userunknown',
              diagnostic:
                '550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown in local recipient table',
            },
          ],
          originalMessageId: 'outgoing-42@mycompany.com',
          kind: 'dsn',
        },
      },
    ],
    [
      'dsn-original.eml',
      {
        messageId: 'gmail-dsn-1@mx.google.com',
        autoReply: false,
        bounce: {
          recipients: [
            {
              address: 'gone@example.com',
              status: '5.1.1',
              hard: true,
              reason: 'userunknown',
              diagnostic: null,
            },
          ],
          originalMessageId: 'outgoing-43@mycompany.com',
          kind: 'dsn',
        },
      },
    ],
    [
      'exim.eml',
      {
        messageId: 'E1exim-1@mx.example.net',
        autoReply: true,
        bounce: {
          recipients: [
            {
              address: 'full@example.net',
              status: '5.2.2',
              hard: false,
              reason: 'mailboxfull',
              diagnostic: 'full@example.net host mx.example.net [192.0.2.9]: 552 5.2.2 Mailbox is full',
            },
          ],
          originalMessageId: 'outgoing-44@mycompany.com',
          kind: 'non-standard',
        },
      },
    ],
    [
      'success-dsn.eml',
      {
        messageId: 'success-1@mx.example.org',
        autoReply: false,
        // A report by its format, but of a delivery that succeeded: not a bounce.
        bounce: null,
      },
    ],
    ['no-id.eml', { messageId: null, autoReply: false, bounce: null }],
  ])('%s', async (name, expected) => {
    const output = await inspect([path(name)]);
    expect(output).toMatchObject({ exitCode: 0, stderr: '' });
    // Exactly the documented keys, in order.
    expect(output.stdout).toBe(`${JSON.stringify({ file: path(name), ...expected })}\n`);
  });

  it.each<[string, string]>([
    ['missing.eml', 'cannot read the file: no such file'],
    ['.', 'cannot read the file: it is a directory'],
    ['empty.eml', 'not an email message: the file is empty'],
    ['image.eml', 'not an email message: binary data (NUL bytes) where the header should be'],
    ['text.eml', 'not an email message: no header found'],
  ])('%s gives an error line', async (name, error) => {
    const output = await inspect([path(name)]);
    expect(output.stdout).toBe(`${JSON.stringify({ file: path(name), error })}\n`);
    expect(output.exitCode).toBe(2);
    expect(output.stderr).toBe('sotamail inspect: 1 of 1 files could not be inspected\n');
  });

  // As root every file is readable, so the refusal is shown through the error the read gives.
  it.each([
    [{ code: 'EACCES' }, 'permission denied'],
    [{ code: 'EPERM' }, 'permission denied'],
    [{ code: 'ENOENT' }, 'no such file'],
    [{ code: 'EISDIR' }, 'it is a directory'],
    [
      Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' }),
      'EMFILE: too many open files',
    ],
  ])('says why a file cannot be read (%j)', (error, why) => {
    expect(describeFsError(error)).toBe(why);
  });

  it('goes on after a bad file, one line per file in the order given', async () => {
    const files = ['vacation.eml', 'missing.eml', 'image.eml', 'dsn.eml', 'human.eml'].map(path);
    const output = await inspect(files);
    expect(lines(output.stdout)).toEqual([
      expect.objectContaining({ file: files[0], autoReply: true }),
      expect.objectContaining({ file: files[1], error: expect.any(String) }),
      expect.objectContaining({ file: files[2], error: expect.any(String) }),
      expect.objectContaining({ file: files[3], bounce: expect.objectContaining({ kind: 'dsn' }) }),
      expect.objectContaining({ file: files[4], autoReply: false, bounce: null }),
    ]);
    expect(output.exitCode).toBe(2);
    expect(output.stderr).toBe('sotamail inspect: 2 of 5 files could not be inspected\n');
  });
});

describe('inspectCommand', () => {
  const noStdin = async () => {
    throw new Error('inspect does not read stdin');
  };

  it.each<[string[], number, RegExp, RegExp]>([
    // [args, exit code, stdout, stderr]
    [[], 2, /^$/, /^sotamail inspect: no file given\nUsage: sotamail inspect <file\.eml>\.\.\./],
    [['--help'], 2, /^$/, /^Usage: sotamail inspect/],
    [['-h', 'x.eml'], 2, /^$/, /^Usage: sotamail inspect/],
    [['--json'], 2, /^$/, /^sotamail inspect: unknown option "--json"\nUsage: /],
    [['--'], 2, /^$/, /^sotamail inspect: no file given\n/],
    [
      ['--', '--help'],
      2,
      /^\{"file":"--help","error":"cannot read the file: no such file"\}\n$/,
      /could not/,
    ],
  ])('%j → exit %i', async (args, exitCode, stdout, stderr) => {
    const output = await inspectCommand.run({ args, readStdin: noStdin });
    expect(output.exitCode).toBe(exitCode);
    expect(output.stdout).toMatch(stdout);
    expect(output.stderr).toMatch(stderr);
  });

  it('reads the files it is given', async () => {
    const output = await inspectCommand.run({ args: [path('human.eml')], readStdin: noStdin });
    expect(output.exitCode).toBe(0);
    expect(lines(output.stdout)).toEqual([expect.objectContaining({ autoReply: false, bounce: null })]);
  });
});

// The shared corpus of real bounces (Sisimai's) lies next to the repository on the project's machines
// and in CI, not on user clones; without it the test says so and passes over.
const corpus = fileURLToPath(new URL('../../../../../shared/corpus/bounces', import.meta.url));

describe('inspect over the shared bounce corpus', () => {
  it('prints one JSON line per .eml without crashing, a bounce reading for each bounce', {
    timeout: 60_000,
  }, async () => {
    if (!existsSync(corpus)) {
      process.stdout.write(`bounce corpus absent at ${corpus}: corpus test passed over\n`);
      return;
    }
    const files = readdirSync(corpus)
      .filter((name) => name.endsWith('.eml'))
      .sort()
      .map((name) => join(corpus, name));
    expect(files.length).toBeGreaterThan(0);
    const output = await inspect(files);
    const printed = lines(output.stdout) as {
      file: string;
      error?: string;
      bounce?: { recipients: unknown[] } | null;
    }[];
    expect(printed.map((line) => line.file)).toEqual(files);
    expect(printed.filter((line) => line.error !== undefined)).toEqual([]);
    expect(output.exitCode).toBe(0);
    // Nearly every mail of the corpus is a bounce whose recipients can be read.
    const read = printed.filter((line) => (line.bounce?.recipients.length ?? 0) > 0);
    expect(read.length / files.length).toBeGreaterThan(0.95);
  });
});
