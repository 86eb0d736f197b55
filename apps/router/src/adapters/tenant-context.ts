import type { Tenant } from '@sotamail/db';

export type TenantContext = { tenant: Tenant; params: Record<string, string> };
export type LoadTenantContext = (tenantId: string) => Promise<TenantContext | undefined>;

/**
 * Keeps each database's row and parameters for `ttlMs`: every mail needs them, and they change
 * rarely. A change reaches routing within `ttlMs`. Mail arriving together shares one load; a
 * database that does not exist (or a failed load) is not remembered, so it is asked again next time.
 */
export function cacheTenantContext(
  load: LoadTenantContext,
  options: { ttlMs: number; now?: () => number },
): LoadTenantContext {
  if (options.ttlMs <= 0) {
    return load;
  }
  const now = options.now ?? Date.now;
  const entries = new Map<string, { until: number; value: Promise<TenantContext | undefined> }>();
  return (tenantId) => {
    const hit = entries.get(tenantId);
    if (hit && hit.until > now()) {
      return hit.value;
    }
    const value = load(tenantId);
    entries.set(tenantId, { until: now() + options.ttlMs, value });
    const forget = () => {
      if (entries.get(tenantId)?.value === value) {
        entries.delete(tenantId);
      }
    };
    value.then((found) => (found ? undefined : forget()), forget);
    return value;
  };
}
