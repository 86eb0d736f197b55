import { type ParsedAddress, parseAddress } from './address.js';
import { encapsulateAddress } from './encapsulate.js';
import { isEmptyFromFilter, matchesFromFilter } from './from-filter.js';
import { bounceAddress, defaultFromAddress, type MailParams, mailParam } from './mail-params.js';
import { fail, ok, type Result } from './result.js';
import { type OutgoingServer, type SelectionStep, selectOutgoingServer } from './select-outgoing-server.js';

export type OutgoingMailKind = 'transactional' | 'mass';

export type RouteStep = 'dedicated' | SelectionStep;

export type PlanOutgoingRouteInput = {
  servers: readonly OutgoingServer[];
  params: MailParams;
  /** The author's From header value, e.g. `"Admin" <admin@example.com>`. */
  from: string;
  kind: OutgoingMailKind;
  /** R5.1: the dedicated mass-mailing server; only used for `mass` mail. */
  dedicatedServerId?: string | null | undefined;
};

export type OutgoingRoute = {
  /** null: the platform default server (no custom server is configured). */
  serverId: string | null;
  step: RouteStep;
  /** The From header to send: the author's value unchanged, or encapsulated (R3.3). */
  fromHeader: string;
  /** The envelope sender (MAIL FROM) address, without any per-mail token. */
  envelopeFrom: string;
  /** True when fromHeader is not the author's value. */
  rewritten: boolean;
  /** One sentence an admin can read to understand the choice (R4: "the first thing an admin asks"). */
  reason: string;
};

/**
 * Decides, without sending, which server sends a mail, with which From header and envelope sender:
 * R5.1 (dedicated mass server), R4 (server choice), R3.3/R3.4 (encapsulation) and R3.5 (envelope).
 * Both the dispatcher and the previews (API, CLI) use it, so the preview is what will happen.
 */
export function planOutgoingRoute(input: PlanOutgoingRouteInput): Result<OutgoingRoute> {
  const author = parseAddress(input.from);
  if (!author.ok) {
    return fail('INVALID_ADDRESS', `invalid From: ${author.error.message}`);
  }
  const from = author.value;
  const defaultFromText = defaultFromAddress(input.params);
  const defaultFromParsed = defaultFromText === null ? null : parseAddress(defaultFromText);
  const defaultFrom = defaultFromParsed?.ok ? defaultFromParsed.value : null;
  const bounce = bounceAddress(input.params);

  const choice = chooseServer(input, from, defaultFrom);
  const filter =
    choice.server === null ? mailParam(input.params, 'mail.default.from_filter') : choice.server.fromFilter;

  // R3.3/R3.4: whatever rule chose the server, it may only send as a From its filter allows.
  let fromHeader = input.from.trim();
  let fromAddress = from.address;
  let fromSentence: string;
  if (matchesFromFilter(from.address, filter)) {
    fromSentence =
      isEmptyFromFilter(filter) || isAuthorStep(choice.step)
        ? 'From kept'
        : `From kept because the filter allows ${from.normalized}`;
  } else if (defaultFrom === null) {
    fromSentence = `From kept although the filter does not allow ${from.normalized}, because no default From is configured (mail.default.from, with mail.catchall.domain when it is only a local part), so the server may refuse it`;
  } else if (from.normalized === defaultFrom.normalized) {
    fromSentence = `From kept: it is already the default From, although the filter does not allow it, so the server may refuse it`;
  } else {
    fromHeader = encapsulateAddress(from, defaultFrom.address);
    fromAddress = defaultFrom.address;
    fromSentence = `From rewritten to ${fromHeader} because the filter does not allow ${from.normalized}`;
    if (!matchesFromFilter(defaultFrom.address, filter)) {
      fromSentence += `, although the filter does not allow the default From ${defaultFrom.normalized} either, so the server may refuse it`;
    }
  }

  // R3.5: bounces come back to us whenever the server may send as the bounce address.
  let envelopeFrom: string;
  let envelopeSentence: string;
  if (bounce === null) {
    envelopeFrom = fromAddress;
    envelopeSentence = `envelope sender is ${fromAddress} because no bounce address is configured (mail.bounce.alias and mail.catchall.domain)`;
  } else if (matchesFromFilter(bounce, filter)) {
    envelopeFrom = bounce;
    envelopeSentence = `envelope sender is the bounce address ${bounce}`;
  } else {
    envelopeFrom = fromAddress;
    envelopeSentence = `envelope sender is ${fromAddress} because the filter does not allow the bounce address ${bounce}`;
  }

  return ok({
    serverId: choice.server?.id ?? null,
    step: choice.step,
    fromHeader,
    envelopeFrom,
    rewritten: fromHeader !== input.from.trim(),
    reason: [choice.sentence, fromSentence, envelopeSentence].join('; '),
  });
}

type Choice = { server: OutgoingServer | null; step: RouteStep; sentence: string };

function chooseServer(
  input: PlanOutgoingRouteInput,
  from: ParsedAddress,
  defaultFrom: ParsedAddress | null,
): Choice {
  let prefix = '';
  if (input.kind === 'mass' && input.dedicatedServerId) {
    const dedicatedId = input.dedicatedServerId;
    const dedicated = input.servers.find((server) => server.id === dedicatedId);
    if (dedicated?.active) {
      return {
        server: dedicated,
        step: 'dedicated',
        sentence: `mass mail uses the dedicated ${label(dedicated)}, which has ${describeFilter(dedicated.fromFilter)}`,
      };
    }
    // A missing or archived dedicated server must not stop a mailing: fall back to R4, and say so.
    prefix = `the dedicated mass-mailing server "${dedicatedId}" ${dedicated === undefined ? 'does not exist' : 'is archived'}, so the server is chosen by From filter: `;
  }

  const selection = selectOutgoingServer(input.servers, from, defaultFrom);
  const address = `the From address ${from.normalized}`;
  const domain = `the From domain ${from.domain.toLowerCase()}`;
  const defaultAddress = `the default From address ${defaultFrom?.normalized}`;
  const defaultDomain = `the default From domain ${defaultFrom?.domain.toLowerCase()}`;
  const noneContains = (...what: string[]) => `no server's From filter contains ${orList(what)}`;
  let sentence: string;
  if (selection.server === null) {
    const platformFilter = mailParam(input.params, 'mail.default.from_filter');
    sentence = `no active outgoing server is configured, so the platform default server is used, with ${
      platformFilter === null
        ? 'no From filter (mail.default.from_filter is not set)'
        : `From filter "${platformFilter}" (mail.default.from_filter)`
    }`;
  } else {
    const server = selection.server;
    const filterText = describeFilter(server.fromFilter);
    switch (selection.step) {
      case 'from-address':
        sentence = `${label(server)} has ${filterText}, which contains ${address}`;
        break;
      case 'from-domain':
        sentence = `${label(server)} has ${filterText}, which contains ${domain}`;
        break;
      case 'no-filter':
        sentence = `${noneContains(address, domain)}, so ${label(server)}, which has no From filter, is used`;
        break;
      case 'default-from-address':
        sentence = `${noneContains(address, domain)} and every server has one, so ${label(server)} is used: its ${filterText} contains ${defaultAddress}`;
        break;
      case 'default-from-domain':
        sentence = `${noneContains(address, domain, defaultAddress)} and every server has one, so ${label(server)} is used: its ${filterText} contains ${defaultDomain}`;
        break;
      case 'first-by-priority':
        sentence = `${
          defaultFrom === null
            ? `${noneContains(address, domain)}, every server has one and no default From is configured`
            : `${noneContains(address, domain, defaultAddress, defaultDomain)} and every server has one`
        }, so the first server by priority is used: ${label(server)}, priority ${server.priority}, with ${filterText}`;
        break;
    }
  }
  return { server: selection.server, step: selection.step, sentence: prefix + sentence };
}

/** Steps whose sentence already says the filter contains the author's address or domain. */
function isAuthorStep(step: RouteStep): boolean {
  return step === 'from-address' || step === 'from-domain';
}

function label(server: OutgoingServer): string {
  return server.name ? `server "${server.name}" (${server.id})` : `server "${server.id}"`;
}

/** `a`, `a or b`, `a, b or c`. */
function orList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}

function describeFilter(filter: string | null): string {
  return isEmptyFromFilter(filter) ? 'no From filter' : `From filter "${filter?.trim()}"`;
}
