import { type Db, type DeliveryContext, loadDeliveryContext, type OutgoingMail } from '@sotamail/db';

export type ContextCache = { get: (mail: OutgoingMail) => Promise<DeliveryContext | undefined> };

/**
 * The delivery context of a message is the same for each of its recipients, who are usually sent
 * within a second of each other: keeping it a few seconds saves most database reads per mail. The
 * short life bounds how stale a changed server or parameter can be.
 */
export function createContextCache(db: Db, ttlMs: number, maxEntries = 1000): ContextCache {
  const entries = new Map<string, { at: number; context: Promise<DeliveryContext | undefined> }>();
  return {
    get(mail) {
      const key = mail.messageId ?? mail.id;
      const now = Date.now();
      const hit = entries.get(key);
      if (hit && now - hit.at < ttlMs) {
        return hit.context;
      }
      if (entries.size >= maxEntries) {
        for (const [k, v] of entries) {
          if (now - v.at >= ttlMs || entries.size >= maxEntries) {
            entries.delete(k);
          }
        }
      }
      const context = loadDeliveryContext(db, mail);
      // A failed load is not kept: the next mail tries again.
      context.catch(() => entries.delete(key));
      entries.set(key, { at: now, context });
      return context;
    },
  };
}
