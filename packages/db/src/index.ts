export { type CreateDbOptions, createDb, type Db, type DbHandle, type DbOrTx, pingDb } from './client.js';
export { migrationsFolder, runMigrations } from './migrate.js';
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
export { deleteParameter, getParameters, setParameter } from './queries/parameters.js';
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
