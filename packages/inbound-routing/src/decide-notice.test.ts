import { describe, expect, it } from 'vitest';
import { decideNotice, type NoticeFacts } from './decide-notice.js';

const refused: NoticeFacts = {
  decision: { action: 'refused', threadId: null, alias: null, reasons: ['x'] },
  autoReply: false,
  bounce: false,
  nullSender: false,
  senderEmail: 'stranger@elsewhere.test',
  ownAddress: false,
};

describe('decideNotice (R8.3, R8.4, R9.3)', () => {
  it.each<[string, Partial<NoticeFacts>, boolean, RegExp | null]>([
    ['a refused human sender', {}, true, null],
    [
      'mail that was not refused',
      { decision: { action: 'unroutable', threadId: null, alias: null, reasons: [] } },
      false,
      /only refused mail/,
    ],
    ['an auto-reply', { autoReply: true }, false, /RFC 3834/],
    ['a delivery report', { bounce: true }, false, /delivery report/],
    ['a null sender', { nullSender: true }, false, /null sender/],
    ['no sender address', { senderEmail: '' }, false, /no usable address/],
    ['a sender without a domain', { senderEmail: 'root' }, false, /no usable address/],
    ['one of our own addresses', { ownAddress: true }, false, /our own addresses/],
  ])('%s', (_label, facts, send, why) => {
    const verdict = decideNotice({ ...refused, ...facts });
    expect(verdict.send).toBe(send);
    if (!verdict.send && why) {
      expect(verdict.why).toMatch(why);
    }
  });
});
