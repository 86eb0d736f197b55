import { describe, expect, it } from 'vitest';
import { composeNotice } from './send-notice.js';

const notice = {
  id: '5a0f4a52-3f5c-4d59-9b0a-2f6a3c1d9e77',
  recipient: 'stranger@elsewhere.test',
  subject: 'Not delivered: Hello',
  bodyText: 'Hello,\n\nWhy: …',
  refusedMessageId: 'abc@elsewhere.test',
};
const route = {
  fromHeader: '"My Company" <notifications@mycompany.test>',
  envelopeFrom: 'bounce@mycompany.test',
};

describe('composeNotice', () => {
  it('marks the notice automatic, answers the refused mail and uses our bounce address as envelope', () => {
    const mail = composeNotice(notice, route, 'mycompany.test', new Date(0));
    expect(mail.headers).toEqual({ 'Auto-Submitted': 'auto-generated', 'X-Auto-Response-Suppress': 'All' });
    expect(mail.inReplyTo).toBe('<abc@elsewhere.test>');
    expect(mail.references).toEqual(['<abc@elsewhere.test>']);
    expect(mail.envelope).toEqual({ from: 'bounce@mycompany.test', to: ['stranger@elsewhere.test'] });
    expect(mail.from).toBe(route.fromHeader);
    expect(mail.messageId).toBe(`<notice-${notice.id}@mycompany.test>`);
  });

  it('names no earlier mail when the refused one had no Message-ID', () => {
    const mail = composeNotice({ ...notice, refusedMessageId: null }, route, 'mycompany.test', new Date(0));
    expect(mail).not.toHaveProperty('inReplyTo');
    expect(mail).not.toHaveProperty('references');
  });
});
