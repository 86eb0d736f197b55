import { type Db, failStrandedMail, findStrandedMails, releaseDueDeferred } from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import { enqueueSendMail, type Producer } from '@sotamail/queues';

/** A mail in `ready` or `sending` untouched this long has probably lost its job (see findStrandedMails). */
const strandedAfterMs = 5 * 60_000;
/**
 * Attempts beyond the retry limit after which a mail that keeps ending without an outcome (its
 * attempts crash on something no classifier knows) fails for an admin to see, instead of being
 * re-queued forever. Waits for a quota do not count as attempts.
 */
const strandedGrace = 12;
/** Rescued mails rank after ordinary work: a stranded mail must not jump ahead of other databases. */
const rescuePriority = 1_000;

export type ReleaseLoop = {
  runOnce: () => Promise<{ released: number; requeued: number }>;
  stop: () => Promise<void>;
};

/**
 * Puts deferred mail back in the queue when its window opens (daily limit, R1.1), and re-queues mail
 * whose job was lost, so that nothing waits forever. Safe with any number of dispatchers: releasing
 * takes each row once (SKIP LOCKED), and a mail has at most one job.
 */
export function startReleaseLoop(options: {
  db: Db;
  producer: Producer;
  logger: Logger;
  now: () => Date;
  intervalMs: number;
  /** SEND_MAX_ATTEMPTS. */
  maxAttempts: number;
}): ReleaseLoop {
  const runOnce = async () => {
    const released = await releaseDueDeferred(options.db, options.now());
    for (const mail of released) {
      await enqueueSendMail(options.producer, mail);
    }
    const untouchedSince = new Date(Date.now() - strandedAfterMs);
    const stranded = await findStrandedMails(options.db, untouchedSince);
    for (const mail of stranded) {
      if (mail.attempts >= options.maxAttempts + strandedGrace) {
        const reason = `gave up: ${mail.attempts} attempts ended without an outcome (see the dispatcher logs for this mail)`;
        if (await failStrandedMail(options.db, mail.id, untouchedSince, reason)) {
          options.logger.error({ outgoingMailId: mail.id, attempts: mail.attempts }, 'mail.failed_stranded');
        }
        continue;
      }
      await enqueueSendMail(options.producer, mail, { priority: rescuePriority });
    }
    if (released.length + stranded.length > 0) {
      options.logger.info({ released: released.length, requeued: stranded.length }, 'release.done');
    }
    return { released: released.length, requeued: stranded.length };
  };
  let running: Promise<unknown> = Promise.resolve();
  const timer = setInterval(() => {
    running = runOnce().catch((err) => options.logger.warn({ err }, 'release.failed'));
  }, options.intervalMs);
  timer.unref();
  return {
    runOnce,
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
