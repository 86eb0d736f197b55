import {
  aliases,
  blacklistEntries,
  contacts,
  incomingServers,
  outgoingServers,
  threads,
} from '../schema/index.js';
import { tenantRows } from './tenant-rows.js';

export const outgoingServerRows = tenantRows(outgoingServers, [
  outgoingServers.priority,
  outgoingServers.createdAt,
]);
export const incomingServerRows = tenantRows(incomingServers, [incomingServers.createdAt]);
export const aliasRows = tenantRows(aliases, [aliases.name]);
export const contactRows = tenantRows(contacts, [contacts.createdAt]);
export const threadRows = tenantRows(threads, [threads.createdAt]);
export const blacklistRows = tenantRows(blacklistEntries, [blacklistEntries.createdAt]);

export type OutgoingServer = typeof outgoingServers.$inferSelect;
export type IncomingServer = typeof incomingServers.$inferSelect;
export type Alias = typeof aliases.$inferSelect;
export type Contact = typeof contacts.$inferSelect;
export type Thread = typeof threads.$inferSelect;
