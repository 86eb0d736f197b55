import { fromFilterProblem, isAddress, isDomain, isLocalPart } from './mail-syntax.js';

type ParameterDefinition = {
  /** The value a new database gets; null means unset until an admin sets it. */
  default: string | null;
  description: string;
  /** Returns why the value is not acceptable, or null. */
  problem: (value: string) => string | null;
};

const positiveInteger = (max: number) => (value: string) =>
  /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= max
    ? null
    : `must be a whole number from 1 to ${max}`;

const wholeNumber = (max: number) => (value: string) =>
  /^\d+$/.test(value) && Number(value) <= max ? null : `must be a whole number from 0 to ${max}`;

const localPart = (value: string) =>
  isLocalPart(value) ? null : 'must be the local part of an address (before the @)';

// The envelope sender is `<alias>+<44-character VERP token>@domain`, and a local part has at most
// 64 characters (RFC 5321), so the alias has at most 19.
const maxBounceAliasLength = 64 - 1 - 44;
const verpRoom = (value: string) =>
  value.length > maxBounceAliasLength
    ? `must be at most ${maxBounceAliasLength} characters: the envelope sender adds "+" and a 44-character bounce token, and an address's local part has at most 64`
    : null;

/**
 * The system parameters of a database, with the seed's names and defaults. `mail.catchall.domain` is
 * not stored here: it is the database's alias domain, so there is one source of truth for it.
 */
export const parameterDefinitions: Record<string, ParameterDefinition> = {
  'mail.default.from': {
    default: 'notifications',
    description: 'The default From: a local part (joined to mail.catchall.domain) or a full address.',
    problem: (v) => (isLocalPart(v) || isAddress(v) ? null : 'must be a local part or a full email address'),
  },
  'mail.default.from_filter': {
    default: null,
    description: "The From filter of the platform's default outgoing server: a domain or a full address.",
    problem: fromFilterProblem,
  },
  'mail.catchall.alias': {
    default: 'catchall',
    description: 'The local part of the reply address of threads without their own alias.',
    problem: localPart,
  },
  'mail.bounce.alias': {
    default: 'bounce',
    description: 'The local part of the envelope sender (Return-Path) of everything sent.',
    problem: (value) => localPart(value) ?? verpRoom(value),
  },
  'mail.incoming.limit.period': {
    default: '60',
    description: 'Minutes over which mail.incoming.limit.alias and the catchall loop check count.',
    problem: positiveInteger(10_080),
  },
  'mail.incoming.limit.alias': {
    default: '5',
    description: 'Records one sender may create through one alias per period.',
    problem: positiveInteger(100_000),
  },
  'mail.fetchmail.interval': {
    default: '5',
    description: 'Minutes between two polls of an incoming mail server (IMAP IDLE is immediate).',
    problem: positiveInteger(1_440),
  },
  // R10.3: the auto-blacklist rule of the bounce-processor (apps/bounce-processor/src/domain/blacklist-rule.ts).
  'mail.bounce.blacklist.count': {
    default: '5',
    description:
      'Bounces within mail.bounce.blacklist.period_days that blacklist an address for mass mailing.',
    problem: positiveInteger(1_000),
  },
  'mail.bounce.blacklist.period_days': {
    default: '30',
    description: 'Days back over which bounces count towards the blacklist.',
    problem: positiveInteger(3_650),
  },
  'mail.bounce.blacklist.min_span_days': {
    default: '7',
    description: 'Least number of days between the first and the last counted bounce (0: no minimum).',
    problem: wholeNumber(3_650),
  },
};

export const aliasDomainParameter = 'mail.catchall.domain';

export function defaultParameters(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parameterDefinitions).flatMap(([key, d]) =>
      d.default === null ? [] : [[key, d.default]],
    ),
  );
}

export type ParameterCheck =
  | { ok: true }
  | { ok: false; code: 'UNKNOWN_PARAMETER' | 'INVALID_PARAMETER'; message: string };

export function checkParameter(key: string, value: string): ParameterCheck {
  if (key === aliasDomainParameter) {
    return isDomain(value)
      ? { ok: true }
      : { ok: false, code: 'INVALID_PARAMETER', message: `${key} must be a domain name, got "${value}"` };
  }
  const definition = parameterDefinitions[key];
  if (!definition) {
    const known = [aliasDomainParameter, ...Object.keys(parameterDefinitions)].sort().join(', ');
    return {
      ok: false,
      code: 'UNKNOWN_PARAMETER',
      message: `Unknown parameter "${key}". Known parameters: ${known}.`,
    };
  }
  const problem = definition.problem(value.trim());
  return problem === null
    ? { ok: true }
    : { ok: false, code: 'INVALID_PARAMETER', message: `${key} ${problem} (got "${value}").` };
}
