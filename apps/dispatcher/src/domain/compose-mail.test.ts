import { describe, expect, it } from 'vitest';
import { type ComposeInput, composeMail, htmlToText } from './compose-mail.js';

const base: ComposeInput = {
  message: {
    subject: 'Quote',
    bodyHtml: '<p>Hello <b>Mary</b></p><p>Price: 10&nbsp;&euro; &amp; more</p>',
    bodyText: '',
    messageId: 'abc.1@mycompany.test',
    kind: 'comment',
  },
  thread: { model: 'sale.order', recordId: '42', subject: 'SO42' },
  recipient: { email: 'mary@customer.test', name: 'Mary' },
  fromHeader: '"Admin" <notifications@mycompany.test>',
  replyTo: '"My Company" <catchall@mycompany.test>',
  references: ['first@mycompany.test', 'second@mycompany.test'],
  envelope: { from: 'bounce+tok@mycompany.test', to: 'mary@customer.test' },
  attachments: [],
  date: new Date('2026-11-24T10:00:00Z'),
};

describe('composeMail', () => {
  it('carries the thread, the chain of references and the reply address', () => {
    const mail = composeMail(base);
    expect(mail).toMatchObject({
      from: '"Admin" <notifications@mycompany.test>',
      to: { name: 'Mary', address: 'mary@customer.test' },
      subject: 'Quote',
      messageId: '<abc.1@mycompany.test>',
      inReplyTo: '<second@mycompany.test>',
      references: ['<first@mycompany.test>', '<second@mycompany.test>'],
      replyTo: '"My Company" <catchall@mycompany.test>',
      envelope: { from: 'bounce+tok@mycompany.test', to: ['mary@customer.test'] },
      headers: { 'X-SotaMail-Thread': 'sale.order/42' },
    });
    expect(mail.headers).not.toHaveProperty('Auto-Submitted');
  });

  it.each<[string, Partial<ComposeInput['message']>, Record<string, string> | null]>([
    [
      'a system note is auto-generated',
      { kind: 'note' },
      { 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'OOF, AutoReply' },
    ],
    ['a comment is not', { kind: 'comment' }, null],
  ])('%s', (_label, message, expected) => {
    const mail = composeMail({ ...base, message: { ...base.message, ...message } });
    if (expected) {
      expect(mail.headers).toMatchObject(expected);
    } else {
      expect(mail.headers).not.toHaveProperty('Auto-Submitted');
    }
  });

  it('uses the thread subject when the message has none, and has no In-Reply-To on a first message', () => {
    const mail = composeMail({ ...base, message: { ...base.message, subject: '' }, references: [] });
    expect(mail.subject).toBe('SO42');
    expect(mail).not.toHaveProperty('inReplyTo');
    expect(mail).not.toHaveProperty('references');
  });

  it('derives the text part from HTML, and keeps a given one', () => {
    expect(composeMail(base).text).toBe('Hello Mary\nPrice: 10 € & more');
    expect(composeMail({ ...base, message: { ...base.message, bodyText: 'plain' } }).text).toBe('plain');
  });

  it.each([
    ['<p>a</p><p>b</p>', 'a\nb'],
    ['line<br>break', 'line\nbreak'],
    ['<ul><li>one</li><li>two</li></ul>', '- one\n- two'],
    ['<style>p{}</style>x', 'x'],
    ['&lt;tag&gt; &#65;&#x42;', '<tag> AB'],
  ])('htmlToText(%j)', (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});
