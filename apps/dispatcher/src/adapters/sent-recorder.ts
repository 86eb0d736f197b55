import { type Db, recordSentMails, type SentRecord } from '@sotamail/db';

export type SentRecorder = {
  /** Resolves once the mail is recorded as sent, or rejects after the writes kept failing. */
  record: (record: SentRecord) => Promise<void>;
};

type Waiting = { record: SentRecord; resolve: () => void; reject: (err: unknown) => void };

const maxGroup = 500;
const attempts = 5;

/**
 * Records sent mails by group commit: a mail accepted while the previous write is in flight joins
 * the next write. Under load one statement records dozens of mails; when idle each mail is written
 * at once, so the time between the server's acceptance and our record (the crash window in which
 * a mail can go twice) stays one write long.
 */
export function createSentRecorder(
  db: Db,
  options: { gatherMs?: number; backoffMs?: number } = {},
): SentRecorder {
  const gatherMs = options.gatherMs ?? 0;
  const backoffMs = options.backoffMs ?? 200;
  let waiting: Waiting[] = [];
  let writing = false;
  let gathering: NodeJS.Timeout | null = null;

  const writeWithRetries = async (records: SentRecord[]) => {
    // The mails are out: try hard to record them before giving up to the job's own retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await recordSentMails(db, records);
        return;
      } catch (err) {
        if (attempt >= attempts) {
          throw err;
        }
        await new Promise((r) => setTimeout(r, backoffMs * 2 ** attempt));
      }
    }
  };

  const drain = async () => {
    gathering = null;
    writing = true;
    while (waiting.length > 0) {
      const group = waiting.slice(0, maxGroup);
      waiting = waiting.slice(group.length);
      try {
        await writeWithRetries(group.map((w) => w.record));
        for (const w of group) {
          w.resolve();
        }
      } catch (err) {
        // One bad record must not fail the others: after the group failed, each is written alone.
        for (const w of group) {
          if (group.length === 1) {
            w.reject(err);
            continue;
          }
          await recordSentMails(db, [w.record]).then(w.resolve, w.reject);
        }
      }
    }
    writing = false;
  };

  return {
    record(record) {
      return new Promise<void>((resolve, reject) => {
        waiting.push({ record, resolve, reject });
        if (writing || gathering) {
          return;
        }
        if (gatherMs > 0 && waiting.length < maxGroup) {
          // A moment's wait lets the mails accepted meanwhile share the write.
          gathering = setTimeout(() => void drain(), gatherMs);
        } else {
          void drain();
        }
      });
    },
  };
}
