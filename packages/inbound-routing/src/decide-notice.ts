// Whether a refused sender gets a notice (R8.3, R8.4, R9.3). Pure; the once-a-day limit is not here
// but in the database, where concurrent routers cannot both pass it.

import type { RouteDecision } from './decide-route.js';

export type NoticeFacts = {
  decision: RouteDecision;
  /** RFC 3834 auto-replies, list and bulk mail (detectAutomaticMail). */
  autoReply: boolean;
  bounce: boolean;
  /** MAIL FROM:<> or Return-Path: <>: mail that must never be answered. */
  nullSender: boolean;
  senderEmail: string;
  /** The sender is one of our own addresses (an alias domain of ours, the default From). */
  ownAddress: boolean;
};

export type NoticeVerdict = { send: true } | { send: false; why: string };

export function decideNotice(f: NoticeFacts): NoticeVerdict {
  if (f.decision.action !== 'refused') {
    return { send: false, why: `only refused mail gets a notice (this one is ${f.decision.action})` };
  }
  if (f.bounce) {
    return { send: false, why: 'a delivery report is never answered' };
  }
  if (f.nullSender) {
    return { send: false, why: 'the mail has a null sender (<>): automatic mail is never answered' };
  }
  if (f.autoReply) {
    return {
      send: false,
      why: 'an automatic reply, list or bulk mail is never answered (RFC 3834, R9.3)',
    };
  }
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(f.senderEmail)) {
    return { send: false, why: 'the sender has no usable address' };
  }
  if (f.ownAddress) {
    return { send: false, why: `${f.senderEmail} is one of our own addresses: nothing we send is answered` };
  }
  return { send: true };
}
