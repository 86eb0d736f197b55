import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { forRecipient, renderShared } from './mime-render.js';

// A message rendered once, then given each recipient's To header, reads back as the message a mail
// client would show that recipient.

const shared = () =>
  renderShared({
    from: '"Ada (via Sota)" <notifications@sota.test>',
    subject: 'Devis n° 42',
    html: '<p>Bonjour, voici le devis.</p>',
    text: 'Bonjour, voici le devis.',
    messageId: '<m-42@sota.test>',
    inReplyTo: '<m-41@sota.test>',
    references: ['<m-40@sota.test>', '<m-41@sota.test>'],
    replyTo: '"Sota" <catchall+tok@sota.test>',
    headers: { 'X-SotaMail-Thread': 'sale.order/42' },
    attachments: [
      { filename: 'devis.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 test') },
    ],
    date: new Date('2026-11-24T10:00:00Z'),
  });

describe('a shared rendering given its recipient', () => {
  it('reads back with every header, body and attachment, and the recipient in To', async () => {
    const rendered = await shared();
    const mail = await simpleParser(forRecipient(rendered, { name: 'Zoë Ünal', address: 'zoe@example.com' }));
    expect(mail.to && !Array.isArray(mail.to) ? mail.to.value : null).toEqual([
      { name: 'Zoë Ünal', address: 'zoe@example.com' },
    ]);
    expect(mail.subject).toBe('Devis n° 42');
    expect(mail.messageId).toBe('<m-42@sota.test>');
    expect(mail.inReplyTo).toBe('<m-41@sota.test>');
    expect(mail.references).toEqual(['<m-40@sota.test>', '<m-41@sota.test>']);
    expect(mail.headers.get('x-sotamail-thread')).toBe('sale.order/42');
    expect(mail.text?.trim()).toBe('Bonjour, voici le devis.');
    expect(mail.html).toContain('voici le devis');
    expect(mail.attachments.map((a) => [a.filename, a.content.toString()])).toEqual([
      ['devis.pdf', '%PDF-1.4 test'],
    ]);
    expect(mail.date?.toISOString()).toBe('2026-11-24T10:00:00.000Z');
  });

  it('gives each recipient only their own To, and writes an international domain in ASCII', async () => {
    const rendered = await shared();
    const first = forRecipient(rendered, { name: '', address: 'a@example.com' }).toString();
    const second = forRecipient(rendered, { name: 'Bo', address: 'bo@bücher.example' }).toString();
    expect(first.match(/^To: .*$/gm)).toEqual(['To: a@example.com']);
    expect(second.match(/^To: .*$/gm)).toEqual(['To: Bo <bo@xn--bcher-kva.example>']);
    // The rest is byte for byte the same message.
    expect(first.slice(first.indexOf('\r\n') + 2)).toBe(second.slice(second.indexOf('\r\n') + 2));
  });
});
