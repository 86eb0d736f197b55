import type { DeliveryContext } from '@sotamail/db';
import { planOutgoingRoute } from '@sotamail/mail-core';
import type { ResolvedServer, ResolveServer } from '../adapters/resolve-server.js';

export type ServerPlan =
  | {
      ok: true;
      /** The database's parameters, with `mail.catchall.domain` = its alias domain. */
      params: Record<string, string>;
      server: ResolvedServer;
      route: { fromHeader: string; envelopeFrom: string };
    }
  | { ok: false; failureType: string; reason: string };

/** The database's parameters as the mail rules read them: the catchall domain is its alias domain. */
export function routeParams(context: Pick<DeliveryContext, 'params' | 'tenant'>): Record<string, string> {
  return { ...context.params, 'mail.catchall.domain': context.tenant.aliasDomain };
}

/**
 * The server, From header and envelope sender of a mail from `from` (R4, R3), with the same code as
 * the preview, and the server's connection settings. One place for notifications and notices.
 */
export function planServer(
  resolveServer: ResolveServer,
  context: Pick<DeliveryContext, 'params' | 'tenant' | 'servers'>,
  from: string,
  lane: 'transactional' | 'mass',
): ServerPlan {
  const params = routeParams(context);
  const plan = planOutgoingRoute({
    servers: context.servers.map((s) => ({
      id: s.id,
      name: s.name,
      fromFilter: s.fromFilter,
      priority: s.priority,
      active: s.active,
    })),
    params,
    from,
    kind: lane,
    dedicatedServerId: context.tenant.massMailingServerId,
  });
  if (!plan.ok) {
    return { ok: false, failureType: 'mail_from_invalid', reason: plan.error.message };
  }
  const server = resolveServer(context, plan.value.serverId);
  if (!server.ok) {
    return server;
  }
  return { ok: true, params, server: server.server, route: plan.value };
}
