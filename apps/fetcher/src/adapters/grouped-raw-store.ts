import {
  type Db,
  isDatabaseUnavailable,
  type NewRawInbound,
  storeRawInbound,
  storeRawInbounds,
} from '@sotamail/db';
import { groupLength } from '../domain/group-length.js';

export type StoreRaw = (values: NewRawInbound) => Promise<{ id: string; created: boolean }>;

type Pending = {
  values: NewRawInbound;
  resolve: (stored: { id: string; created: boolean }) => void;
  reject: (err: unknown) => void;
};

export type GroupLimits = {
  /** Mails per statement. */
  maxMails: number;
  /** Bytes of mail per statement: PostgreSQL refuses a message over 1 GB, and holds it all in memory. */
  maxBytes: number;
  /** Statements in flight at once, so one large mail does not hold up every session's small ones. */
  inFlight: number;
};

const defaults: GroupLimits = { maxMails: 32, maxBytes: 16 * 1024 * 1024, inFlight: 2 };

/**
 * Stores raw mail as storeRawInbound does, but the mails of the SMTP sessions that finish while the
 * stores in flight are running go together in the next one: one statement and one commit for the
 * group, and no added wait (a lone mail is stored at once). Each caller still hears only after its
 * mail is committed (R7.3). A group PostgreSQL refuses is stored again one mail at a time, so only
 * the mail at fault is refused; a group that fails because the database is unavailable fails whole.
 */
export function groupedRawStore(db: Db, limits: Partial<GroupLimits> = {}): StoreRaw {
  const { maxMails, maxBytes, inFlight } = { ...defaults, ...limits };
  const queue: Pending[] = [];
  let running = 0;

  function nextGroup(): Pending[] {
    return queue.splice(
      0,
      groupLength(
        queue.map((p) => p.values.raw.length),
        { maxMails, maxBytes },
      ),
    );
  }

  async function store(group: Pending[]): Promise<void> {
    const [only] = group;
    if (only && group.length === 1) {
      await storeRawInbound(db, only.values).then(only.resolve, only.reject);
      return;
    }
    let stored: Awaited<ReturnType<typeof storeRawInbounds>>;
    try {
      stored = await storeRawInbounds(
        db,
        group.map((p) => p.values),
      );
    } catch (err) {
      // None of the group is stored. A database that is down or stuck (the statement timed out) would
      // fail each mail again, one timeout after another: every sender hears "try again later" now.
      if (isDatabaseUnavailable(err)) {
        for (const p of group) {
          p.reject(err);
        }
        return;
      }
      // Otherwise a mail of the group is at fault: each is tried on its own, and only that one is
      // refused, with its own error.
      for (const p of group) {
        await storeRawInbound(db, p.values).then(p.resolve, p.reject);
      }
      return;
    }
    group.forEach((p, i) => {
      const result = stored[i];
      if (result instanceof Error) {
        p.reject(result);
      } else if (result) {
        p.resolve(result);
      } else {
        p.reject(new Error('the group store returned no row for this mail'));
      }
    });
  }

  async function drain(): Promise<void> {
    running++;
    try {
      while (queue.length > 0) {
        const group = nextGroup();
        // store() settles every caller itself; this only guards against a caller left waiting.
        await store(group).catch((err: unknown) => {
          for (const p of group) {
            p.reject(err);
          }
        });
      }
    } finally {
      running--;
    }
  }

  return (values) =>
    new Promise((resolve, reject) => {
      queue.push({ values, resolve, reject });
      if (running < inFlight) {
        void drain();
      }
    });
}
