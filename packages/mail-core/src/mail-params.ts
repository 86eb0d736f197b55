import { parseAddress } from './address.js';

/** The system parameters (R3.1, R6.2, R8) that decide outgoing addresses. */
export const MAIL_PARAM_KEYS = [
  'mail.default.from',
  'mail.default.from_filter',
  'mail.catchall.domain',
  'mail.catchall.alias',
  'mail.bounce.alias',
] as const;

export type MailParamKey = (typeof MAIL_PARAM_KEYS)[number];

/**
 * Absent, null or blank means "not set". No defaults are applied here (e.g. `bounce` for the bounce
 * alias): the caller that loads the parameters decides them, so this code shows exactly what is set.
 */
export type MailParams = Partial<Record<MailParamKey, string | null>>;

export function mailParam(params: MailParams, key: MailParamKey): string | null {
  const value = params[key]?.trim();
  return value ? value : null;
}

/**
 * R3.2: `mail.default.from` if it is a full address (a formatted value is reduced to its address),
 * else `mail.default.from@mail.catchall.domain`. Null when not derivable, including when the result
 * would not be a valid address.
 */
export function defaultFromAddress(params: MailParams): string | null {
  const from = mailParam(params, 'mail.default.from');
  if (from === null) {
    return null;
  }
  if (from.includes('@')) {
    return addressOrNull(from);
  }
  return aliasAddress(from, mailParam(params, 'mail.catchall.domain'));
}

/** R3.5: `mail.bounce.alias@mail.catchall.domain` when both are set. */
export function bounceAddress(params: MailParams): string | null {
  return aliasAddress(mailParam(params, 'mail.bounce.alias'), mailParam(params, 'mail.catchall.domain'));
}

/** R6.2: `mail.catchall.alias@mail.catchall.domain` when both are set. */
export function catchallAddress(params: MailParams): string | null {
  return aliasAddress(mailParam(params, 'mail.catchall.alias'), mailParam(params, 'mail.catchall.domain'));
}

function aliasAddress(alias: string | null, domain: string | null): string | null {
  return alias === null || domain === null ? null : addressOrNull(`${alias}@${domain}`);
}

function addressOrNull(value: string): string | null {
  const parsed = parseAddress(value);
  return parsed.ok ? parsed.value.address : null;
}
