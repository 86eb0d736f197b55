import { describe, expect, it } from 'vitest';
import { noticeText } from './notice-text.js';

const input = {
  databaseName: 'My Company',
  refusedAt: 'catchall@mycompany.test',
  refusal: 'catchall-not-reply' as const,
  senderEmail: 'stranger@elsewhere.test',
  refusedSubject: 'Hello there',
  receivedAt: new Date('2026-03-04T05:06:07Z'),
};

describe('noticeText', () => {
  it.each<[string, 'catchall-not-reply' | 'contacts-only' | 'followers-only', RegExp]>([
    ['the catchall', 'catchall-not-reply', /only accepts replies to messages sent by My Company/],
    [
      'a contacts-only alias',
      'contacts-only',
      /known contacts of My Company, and stranger@elsewhere.test is not/,
    ],
    [
      'a followers-only alias',
      'followers-only',
      /followers of its conversation, and stranger@elsewhere.test/,
    ],
  ])('says precisely why %s refused the mail and what to do', (_label, refusal, why) => {
    const notice = noticeText({ ...input, refusal });
    expect(notice.reason).toMatch(why);
    expect(notice.text).toContain(`Why: ${notice.reason}`);
    expect(notice.text).toMatch(/What you can do: \S/);
    expect(notice.text).toContain('"Hello there" sent to catchall@mycompany.test on 2026-03-04 05:06 UTC');
    expect(notice.text).toMatch(/at most one such notice a day/);
  });

  it('keeps the subject on one line, short, and says when there was none', () => {
    expect(noticeText(input).subject).toBe('Not delivered: Hello there');
    expect(noticeText({ ...input, refusedSubject: '' }).subject).toBe('Not delivered: (no subject)');
    const long = noticeText({ ...input, refusedSubject: `a\r\nBcc: victim@x.test ${'y'.repeat(300)}` });
    expect(long.subject).not.toMatch(/[\r\n]/);
    expect(long.subject.length).toBeLessThanOrEqual(170);
  });
});
