import type { ParsedAddress } from './address.js';
import { filterContainsAddress, filterContainsDomain, isEmptyFromFilter } from './from-filter.js';

export type OutgoingServer = {
  id: string;
  name?: string | undefined;
  fromFilter: string | null;
  /** Lower is preferred (R2.1). */
  priority: number;
  active: boolean;
};

/** Which rule of R4 chose the server, in the order they are tried. */
export type SelectionStep =
  | 'from-address'
  | 'from-domain'
  | 'no-filter'
  | 'default-from-address'
  | 'default-from-domain'
  | 'first-by-priority'
  | 'platform-default';

export type ServerSelection =
  | { server: OutgoingServer; step: Exclude<SelectionStep, 'platform-default'> }
  | { server: null; step: 'platform-default' };

/**
 * The active servers in the order R4 breaks ties: priority ascending, then id, so the choice never
 * depends on the order the database happened to return them in.
 */
export function orderServers(servers: readonly OutgoingServer[]): OutgoingServer[] {
  return servers
    .filter((server) => server.active)
    .sort((a, b) => a.priority - b.priority || compareIds(a.id, b.id));
}

/**
 * R4. Each rule is tried over every server before the next rule, so an exact-address server wins
 * over a domain server even when the domain server has a better priority. Unlike Odoo, servers
 * without a filter come before servers that only accept the default From (product.md wins): a
 * server without filter sends the author's own From, which needs no rewriting.
 */
export function selectOutgoingServer(
  servers: readonly OutgoingServer[],
  from: ParsedAddress,
  defaultFrom: ParsedAddress | null,
): ServerSelection {
  const ordered = orderServers(servers);
  const first = ordered[0];
  if (first === undefined) {
    return { server: null, step: 'platform-default' };
  }
  const rules: [Exclude<SelectionStep, 'platform-default'>, (filter: string | null) => boolean][] = [
    ['from-address', (filter) => filterContainsAddress(filter, from.normalized)],
    ['from-domain', (filter) => filterContainsDomain(filter, from.domain)],
    ['no-filter', (filter) => isEmptyFromFilter(filter)],
  ];
  if (defaultFrom !== null) {
    rules.push(
      ['default-from-address', (filter) => filterContainsAddress(filter, defaultFrom.normalized)],
      ['default-from-domain', (filter) => filterContainsDomain(filter, defaultFrom.domain)],
    );
  }
  for (const [step, matches] of rules) {
    const server = ordered.find((candidate) => matches(candidate.fromFilter));
    if (server !== undefined) {
      return { server, step };
    }
  }
  return { server: first, step: 'first-by-priority' };
}

/** Numeric ids (database serials) compare as numbers, others by code unit: stable in every locale. */
function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b) && a.length !== b.length) {
    return a.length - b.length;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}
