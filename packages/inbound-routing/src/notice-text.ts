// The words of the notice a refused sender gets (R8.3, R8.4): polite, and precise about why and what
// to do. Pure text; the dispatcher adds the headers.

import type { Refusal } from './decide-route.js';

export type NoticeTextInput = {
  databaseName: string;
  /** The address the mail was refused at, e.g. `catchall@mycompany.com`. */
  refusedAt: string;
  refusal: Refusal['kind'];
  senderEmail: string;
  refusedSubject: string;
  receivedAt: Date;
};

export type NoticeText = { subject: string; text: string; reason: string };

const oneLine = (value: string, max: number) => {
  const flat = value.replace(/[\r\n\t]+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

export function noticeText(i: NoticeTextInput): NoticeText {
  const db = oneLine(i.databaseName, 80) || 'the recipient';
  const subject = oneLine(i.refusedSubject, 150);
  const when = `${i.receivedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  let reason: string;
  let advice: string;
  switch (i.refusal) {
    case 'catchall-not-reply':
      reason = `${i.refusedAt} only accepts replies to messages sent by ${db}, and your message does not answer any of them.`;
      advice =
        'If you meant to answer one of our messages, please use "Reply" on that message, so that your answer reaches the right conversation.';
      break;
    case 'contacts-only':
      reason = `${i.refusedAt} only accepts messages from known contacts of ${db}, and ${i.senderEmail} is not one of them.`;
      advice = `If you already work with ${db}, please write from the address they know you by, or ask your contact there to add ${i.senderEmail}.`;
      break;
    case 'followers-only':
      reason = `${i.refusedAt} only accepts messages from the followers of its conversation, and ${i.senderEmail} is not one of them.`;
      advice = `Please ask your contact at ${db} to add ${i.senderEmail} to the conversation, then write again.`;
      break;
  }
  const text = [
    'Hello,',
    '',
    `Your message ${subject ? `"${subject}" ` : ''}sent to ${i.refusedAt} on ${when} was not delivered to ${db}.`,
    '',
    `Why: ${reason}`,
    '',
    `What you can do: ${advice}`,
    '',
    `This notice was sent automatically; replies to it are not read. You get at most one such notice a day from ${db}.`,
    '',
  ].join('\n');
  return { subject: `Not delivered: ${subject || '(no subject)'}`, text, reason };
}
