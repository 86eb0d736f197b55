export { type CreateDbOptions, createDb, type Db, type DbHandle, type DbOrTx, pingDb } from './client.js';
export { migrationsFolder, runMigrations } from './migrate.js';
export {
  cancelDelivery,
  claimOutgoingMail,
  type DeliveryUpdate,
  dailySlotsUsed,
  findOutgoingMail,
  findStrandedMails,
  type OutgoingMail,
  recordDelivery,
  recordSmtpBounce,
  releaseDailySlot,
  releaseDueDeferred,
  requeueDelivery,
  reserveDailySlot,
} from './queries/delivery.js';
export { type DeliveryContext, loadDeliveryContext } from './queries/delivery-context.js';
export {
  type Alias,
  aliasRows,
  blacklistRows,
  type Contact,
  contactRows,
  type IncomingServer,
  incomingServerRows,
  type OutgoingServer,
  outgoingServerRows,
  type Thread,
  threadRows,
} from './queries/entities.js';
export { addFollower, listFollowers, removeFollower } from './queries/followers.js';
export {
  countAliasRecordsSince,
  countSameContentSince,
  createAliasThread,
  findActiveAliases,
  findAuthorContact,
  findRawInbound,
  findTenantByAliasDomain,
  findThreadByMessageIds,
  findThreadByRecord,
  findUnroutedRaw,
  isFollower,
  listRawInbound,
  markRawInbound,
  messageExists,
  type RawInbound,
  resetRawInbound,
  storeRawInbound,
} from './queries/inbound.js';
export {
  type FetchableImapServer,
  findMailboxCheckpoint,
  listFetchableImapServers,
  type MailboxCheckpoint,
  recordFetchOutcome,
  saveMailboxCheckpoint,
} from './queries/mailboxes.js';
export { deleteParameter, getParameters, setParameter } from './queries/parameters.js';
export {
  listThreadMessages,
  messageAttachments,
  type NewAttachment,
  type PostedMessage,
  type PostMessageInput,
  postMessage,
  threadReferences,
} from './queries/post-message.js';
export { tenantRows } from './queries/tenant-rows.js';
export {
  type ApiKeyRow,
  deleteTenant,
  findActiveApiKeyByPrefix,
  findTenant,
  insertApiKey,
  insertTenant,
  listApiKeys,
  listTenants,
  type NewTenant,
  revokeApiKey,
  type Tenant,
  touchApiKey,
  updateTenant,
} from './queries/tenants.js';
export * as schema from './schema/index.js';
export type { ConnectionTestRecord } from './schema/servers.js';
