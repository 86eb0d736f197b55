import { type Db, type NewRawInbound, storeRawInbound, storeRawInbounds } from '@sotamail/db';

export type StoreRaw = (values: NewRawInbound) => Promise<{ id: string; created: boolean }>;

type Pending = {
  values: NewRawInbound;
  resolve: (stored: { id: string; created: boolean }) => void;
  reject: (err: unknown) => void;
};

/**
 * Stores raw mail as storeRawInbound does, but the mails of the SMTP sessions that finish while a
 * store is in flight go together in the next one: one statement and one commit for the group, and
 * no added wait (a lone mail is stored at once). Each caller still hears only after its mail is
 * committed (R7.3). A group PostgreSQL refuses is stored again one mail at a time, so only the mail
 * at fault is refused.
 */
export function groupedRawStore(db: Db, maxGroup = 32): StoreRaw {
  const queue: Pending[] = [];
  let storing = false;

  async function drain(): Promise<void> {
    storing = true;
    try {
      while (queue.length > 0) {
        const group = queue.splice(0, maxGroup);
        try {
          const stored = await storeRawInbounds(
            db,
            group.map((p) => p.values),
          );
          group.forEach((p, i) => {
            const result = stored[i];
            result ? p.resolve(result) : p.reject(new Error('the group store returned too few rows'));
          });
        } catch (err) {
          if (group.length === 1) {
            group[0]?.reject(err);
            continue;
          }
          for (const p of group) {
            await storeRawInbound(db, p.values).then(p.resolve, p.reject);
          }
        }
      }
    } finally {
      storing = false;
    }
  }

  return (values) =>
    new Promise((resolve, reject) => {
      queue.push({ values, resolve, reject });
      if (!storing) {
        void drain();
      }
    });
}
