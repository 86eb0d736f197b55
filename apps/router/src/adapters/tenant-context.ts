import { type Db, findTenant, getParameters, type Tenant } from '@sotamail/db';

export type TenantContext = { tenant: Tenant; params: Record<string, string> };
export type LoadTenantContext = (tenantId: string) => Promise<TenantContext | undefined>;

/** Reads a database's row and parameters; main.ts keeps them briefly (cacheFound). */
export const tenantContextLoader =
  (db: Db): LoadTenantContext =>
  async (tenantId) => {
    const tenant = await findTenant(db, tenantId);
    return tenant ? { tenant, params: await getParameters(db, tenantId) } : undefined;
  };
