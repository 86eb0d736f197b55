import { describe, expect, it } from 'vitest';
import { parseMail } from './parse-mail.js';
import { parseThreadHeader, threadHeadersInText, threadHeaderValues } from './thread-header.js';

describe('parseThreadHeader', () => {
  it.each<[string, { model: string; recordId: string } | null]>([
    ['sale.order/42', { model: 'sale.order', recordId: '42' }],
    ['crm.lead/mail-ab%2Fcd', { model: 'crm.lead', recordId: 'mail-ab/cd' }],
    ['  sale.order/42  ', { model: 'sale.order', recordId: '42' }],
    ['sale.order', null],
    ['/42', null],
    ['sale.order/', null],
    ['sale.order/4 2', null],
    ['sale.order/%E0%A4%A', null],
    ['sale.order/%00', null],
    ['sale.order/4%0D%0A2', null],
  ])('%s', (raw, expected) => {
    const parsed = parseThreadHeader(raw);
    expect(parsed ? { model: parsed.model, recordId: parsed.recordId } : null).toEqual(expected);
  });
});

describe('threadHeadersInText', () => {
  it('finds a header line, quoted or not, in any case', () => {
    expect(
      threadHeadersInText(
        'Thanks!\n\n> From: a@b\n> x-sotamail-thread: sale.order/42\n> \n> Hello\nX-SotaMail-Thread: crm.lead/7',
      ),
    ).toEqual(['sale.order/42', 'crm.lead/7']);
    expect(threadHeadersInText('we talked about X-SotaMail-Thread: in the meeting')).toEqual([]);
  });
});

describe('threadHeaderValues', () => {
  it('reads the mail’s own header first, then an attached original’s, once each', async () => {
    const raw = [
      'From: a@b.test',
      'To: catchall@x.test',
      'X-SotaMail-Thread: sale.order/42',
      'Subject: Fwd',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain',
      '',
      'see below',
      '--b1',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment; filename="original.eml"',
      '',
      'From: us@x.test',
      'X-SotaMail-Thread: crm.lead/7',
      'Subject: original',
      '',
      'X-SotaMail-Thread: body/1',
      '--b1--',
      '',
    ].join('\r\n');
    const values = await threadHeaderValues(await parseMail(Buffer.from(raw)));
    expect(values.map((v) => v.raw)).toEqual(['sale.order/42', 'crm.lead/7']);
  });

  it('reads the headers of an inline forwarded original from the raw mail, which mailparser folds into the text', async () => {
    const raw = Buffer.from(
      [
        'From: a@b.test',
        'Subject: Fwd',
        'Content-Type: multipart/mixed; boundary="b1"',
        '',
        '--b1',
        'Content-Type: text/plain',
        '',
        'see below',
        '--b1',
        'Content-Type: message/rfc822',
        'Content-Disposition: inline',
        '',
        'From: us@x.test',
        'X-SotaMail-Thread: crm.lead/7',
        '',
        'original',
        '--b1--',
        '',
      ].join('\r\n'),
    );
    const mail = await parseMail(raw);
    expect(threadHeaderValues(mail).map((v) => v.raw)).toEqual([]);
    expect(threadHeaderValues(mail, raw).map((v) => v.raw)).toEqual(['crm.lead/7']);
  });
});
