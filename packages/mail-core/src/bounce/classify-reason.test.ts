import { describe, expect, it } from 'vitest';
import { type BounceReason, isHardBounce } from './bounce-report.js';
import {
  classifyReason,
  type ReasonInput,
  reasonOfStatus,
  type SmtpCommand,
  smtpCommandIn,
} from './classify-reason.js';

describe('classifyReason', () => {
  it.each<[BounceReason, ReasonInput]>([
    [
      'userunknown',
      { status: '5.1.1', diagnostic: '550 5.1.1 <a@example.org>: Recipient address rejected: User unknown' },
    ],
    ['userunknown', { status: '5.0.0', diagnostic: '550 No such user here', command: 'RCPT' }],
    // The same words at DATA come from a filter that had accepted the recipient.
    ['filtered', { status: '5.0.0', diagnostic: '550 No such user here', command: 'DATA' }],
    [
      'rejected',
      { status: '5.1.8', diagnostic: '553 5.1.8 Domain of sender address x@y.example does not exist' },
    ],
    ['mailboxfull', { status: '5.2.2', diagnostic: '552 5.2.2 Mailbox full' }],
    ['mailboxfull', { status: '4.2.2', diagnostic: '452 4.2.2 The email account is over quota' }],
    [
      'suspend',
      { status: '5.2.1', diagnostic: '550 5.2.1 The email account that you tried to reach is disabled.' },
    ],
    [
      'hostunknown',
      { status: '5.4.4', diagnostic: 'Host or domain name not found. Name service error for name=x.example' },
    ],
    [
      'networkerror',
      {
        status: '4.4.3',
        diagnostic: 'Host or domain name not found. Name service error: Host not found, try again',
      },
    ],
    ['mesgtoobig', { status: '5.3.4', diagnostic: '552 5.3.4 Message size exceeds fixed limit' }],
    [
      'spamdetected',
      { status: '5.7.1', diagnostic: '550 5.7.1 Message rejected as spam by Content Filtering.' },
    ],
    [
      'blocked',
      {
        status: '5.7.1',
        diagnostic: '554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org',
      },
    ],
    [
      'authfailure',
      {
        status: '5.7.26',
        diagnostic: '550 5.7.26 Unauthenticated email from example.com is not accepted due to DMARC policy',
      },
    ],
    [
      'requireptr',
      {
        status: '5.7.25',
        diagnostic: '550 5.7.25 The IP address sending this message does not have a PTR record',
      },
    ],
    ['norelaying', { status: '5.7.1', diagnostic: '554 5.7.1 <a@b.example>: Relay access denied' }],
    [
      'expired',
      { status: '4.4.7', diagnostic: 'connect to mx.example.org[192.0.2.1]:25: Connection timed out' },
    ],
    ['toomanyconn', { status: '4.3.2', diagnostic: '452 4.3.2 Connection rate limit exceeded.' }],
    ['virusdetected', { status: '5.7.0', diagnostic: '554 5.7.0 Virus found in message' }],
    // No words the tables know: the status decides, then the action.
    ['mailboxfull', { status: '5.2.2', diagnostic: '552 nope' }],
    ['hasmoved', { status: '5.1.6', diagnostic: null }],
    ['expired', { status: null, diagnostic: null, action: 'delayed' }],
    ['rejected', { status: null, diagnostic: 'Hallo, die Gruppe existiert nicht', familyReason: 'rejected' }],
    ['undefined', { status: '5.0.0', diagnostic: 'something odd happened' }],
  ])('%s ← %j', (reason, input) => {
    expect(classifyReason(input)).toBe(reason);
  });
});

describe('smtpCommandIn', () => {
  it.each<[SmtpCommand | null, string]>([
    ['RCPT', 'host mx.example.org said: 550 5.1.1 unknown (in reply to RCPT TO command)'],
    ['DATA', 'SMTP error from remote mail server after end of data: 550 rejected'],
    ['MAIL', 'SMTP error from remote mail server after MAIL FROM:<a@b.example> SIZE=1: 553 no'],
    // A transcript names the command the first refusal answered, not the last one sent.
    ['RCPT', '>>> RCPT To:<a@b.example>\n<<< 550 5.1.1 unknown\n>>> DATA\n<<< 503 Need RCPT'],
    ['DATA', '>>> DATA\n<<< 550 Unknown user a@b.example'],
    [null, '550 User unknown'],
  ])('%s ← %j', (command, text) => {
    expect(smtpCommandIn(text)).toBe(command);
  });
});

describe('reasonOfStatus and isHardBounce', () => {
  it.each<[string | null, BounceReason | null]>([
    ['5.1.1', 'userunknown'],
    ['4.2.2', 'mailboxfull'],
    ['5.7.26', 'authfailure'],
    ['5.0.0', null],
    ['not a code', null],
    [null, null],
  ])('%s → %s', (status, reason) => {
    expect(reasonOfStatus(status)).toBe(reason);
  });

  it.each<[BounceReason, string | null, boolean]>([
    ['userunknown', '5.1.1', true],
    ['hostunknown', null, true],
    ['notaccept', '4.0.0', false],
    ['mailboxfull', '5.2.2', false],
    ['blocked', '5.7.1', false],
  ])('%s with %s: hard %s', (reason, status, hard) => {
    expect(isHardBounce(reason, status)).toBe(hard);
  });
});
