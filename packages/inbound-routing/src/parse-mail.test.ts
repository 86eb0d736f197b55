import { describe, expect, it } from 'vitest';
import { addressesOf, headerText, parseMail } from './parse-mail.js';

// NUL characters, which PostgreSQL's text and jsonb cannot hold, never leave parseMail.
describe('parseMail', () => {
  it('drops NUL characters from everything routing reads and stores', async () => {
    const raw = Buffer.concat([
      Buffer.from('From: "Ann\u0000ie" <ann@x.test>\r\nTo: sales@erp.test\r\n', 'latin1'),
      Buffer.from('Subject: =?utf-8?Q?Or=00der?=\r\nMessage-ID: <a\u0000b@x.test>\r\n', 'latin1'),
      Buffer.from('In-Reply-To: <p\u0000q@erp.test>\r\nReferences: <r\u0000s@erp.test>\r\n', 'latin1'),
      Buffer.from('Delivered-To: sales\u0000@erp.test\r\nMIME-Version: 1.0\r\n', 'latin1'),
      Buffer.from('Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n', 'latin1'),
      Buffer.from(
        'Content-Type: text/plain\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n',
        'latin1',
      ),
      Buffer.from(
        'Forty=00 chairs\r\n--b\r\nContent-Type: text/html\r\n\r\n<p>Forty\u0000 chairs</p>\r\n',
        'latin1',
      ),
      Buffer.from('--b\r\nContent-Type: application/pdf; name="quo\u0000te.pdf"\r\n', 'latin1'),
      Buffer.from(
        'Content-Disposition: attachment; filename="quo\u0000te.pdf"\r\n\r\n%PDF\u0000\r\n--b--\r\n',
        'latin1',
      ),
    ]);
    const mail = await parseMail(raw);
    const read = JSON.stringify({
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      inReplyTo: mail.inReplyTo,
      references: mail.references,
      from: mail.from,
      to: addressesOf(mail.to),
      deliveredTo: headerText(mail, 'delivered-to'),
      headers: mail.headerLines,
      files: mail.attachments.map((a) => a.filename),
    });
    expect(read).not.toContain('\\u0000');
    expect(mail.subject).toBe('Order');
    expect(mail.text).toContain('Forty chairs');
    expect(mail.from?.value[0]?.name).toBe('Annie');
    // The attachment's bytes are kept as they came: bytea holds any byte.
    expect(mail.attachments[0]?.content.includes(0)).toBe(true);
  });
});
