import type { BounceReason } from './bounce-report.js';

/**
 * Senders of non-standard bounces whose text says nothing the reason tables know (their wording is
 * translated into many languages), but whose kind of refusal is always the same. Each is recognised
 * by a mark its reports always carry, and gives the reason when the words give none.
 */
export const MTA_FAMILIES: readonly { name: string; mark: RegExp; reason: BounceReason }[] = [
  // "The group you tried to contact may not exist, or you may not have permission to post": the
  // group refused the sender (its help link is in every language version).
  { name: 'Google Groups', mark: /https:\/\/groups\.google\.com\/support\//, reason: 'rejected' },
];

/** The reason a report's family implies, or null. */
export function familyReason(text: string): BounceReason | null {
  return MTA_FAMILIES.find((family) => family.mark.test(text))?.reason ?? null;
}
