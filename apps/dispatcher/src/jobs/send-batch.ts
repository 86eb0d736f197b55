import {
  blacklistedAmong,
  claimOutgoingMails,
  findHeldMails,
  type OutgoingMail,
  releaseClaims,
  type SentRecord,
} from '@sotamail/db';
import type { Logger } from '@sotamail/logging';
import type { JobContext } from '@sotamail/queues';
import {
  type Attempt,
  attemptDelivery,
  giveUpRetrying,
  markRetrying,
  putBackToWait,
  type SendMailDeps,
  UnrecordedSendError,
} from './send-mail.js';

export type SendBatchDeps = SendMailDeps & {
  /** Gives one mail a job of its own, due in `delayMs`, with at most `attempts` attempts. */
  requeue: (
    mail: Pick<OutgoingMail, 'id' | 'tenantId' | 'lane'>,
    delayMs: number,
    attempts?: number,
  ) => Promise<void>;
  /** Gives a mail that was sent but could not be recorded a job of its own that only records it. */
  keepUnrecorded: (record: SentRecord, mail: Pick<OutgoingMail, 'id' | 'tenantId' | 'lane'>) => Promise<void>;
  /** Queues the mails a batch did not get to within its slice, as a new batch. */
  continueBatch: (mails: { tenantId: string; lane: OutgoingMail['lane']; ids: string[] }) => Promise<void>;
  /** Mails of one batch on the wire at once (the server's pool queues the rest). */
  sendsPerJob: number;
  /**
   * Mails taken per claim statement. One chunk on the wire at a time measured faster than claiming a
   * whole batch at once (bench/outbound.ts: 0.6 against 0.33).
   */
  claimSize: number;
  /** How long a batch keeps its worker before the rest of it goes back to the queue. */
  sliceMs: number;
  /** The wait before the first retry of a transient failure. */
  retryDelayMs: number;
};

export type BatchOutcome = Record<
  'sent' | 'deferred' | 'exception' | 'bounced' | 'requeued' | 'skipped',
  number
>;

/**
 * The mails of a posted message (or of the replies a routing batch stored), a chunk at a time: one claim statement per chunk, the sends in
 * parallel through the server's pool, the sent ones recorded by group commit. A mail that must
 * wait (quota, busy server) or be retried leaves the batch with a job of its own, so one slow
 * recipient never holds back the others.
 *
 * A batch gives up its worker after `sliceMs`: what it has not claimed yet goes back to the queue as
 * a new batch, behind other databases' work, so a slow server or a huge post cannot hold the
 * workers. Only claimed mails are ever in flight, and a claim is a chunk, not the whole batch.
 *
 * Crash safety is that of a single mail: each mail is claimed, and a claim abandoned by a dead
 * process is taken again once its lease runs out (the job itself is handed over by the queue).
 */
export function createSendBatchHandler(deps: SendBatchDeps) {
  return async (
    payload: { tenantId: string; outgoingMailIds: string[] },
    { job, logger }: JobContext,
  ): Promise<BatchOutcome> => {
    const counts: BatchOutcome = { sent: 0, deferred: 0, exception: 0, bounced: 0, requeued: 0, skipped: 0 };
    // Mails a previous run sent but could not record: recorded now, never sent again.
    const unrecorded = (job.data as { sentRecords?: SentRecord[] }).sentRecords ?? [];
    await Promise.all(unrecorded.map((r) => deps.recorder.record(r)));
    counts.sent += unrecorded.length;
    const recorded = new Set(unrecorded.map((r) => r.id));
    const pending = payload.outgoingMailIds.filter((id) => !recorded.has(id));
    const sliceEnds = Date.now() + deps.sliceMs;
    const lane: OutgoingMail['lane'] = job.name === 'send-mass-mail-batch' ? 'mass' : 'transactional';

    // Mass mail skips blacklisted addresses (R10.3): one query per claimed chunk, not one per mail.
    const blacklisted = new Set<string>();
    const claimChunk = async (ids: string[]) => {
      const mails = await claimOutgoingMails(deps.db, ids, deps.claimLeaseMs);
      if (lane === 'mass' && mails.length > 0) {
        for (const email of await blacklistedAmong(
          deps.db,
          payload.tenantId,
          mails.map((m) => m.recipientEmail),
        )) {
          blacklisted.add(email);
        }
      }
      if (mails.length < ids.length) {
        const claimed = new Set(mails.map((m) => m.id));
        // Held by a live claim elsewhere (or one whose process just died): each gets a job of its
        // own, due when the claim runs out. Done and cancelled mails are simply not there.
        const held = await findHeldMails(
          deps.db,
          ids.filter((id) => !claimed.has(id)),
          deps.claimLeaseMs,
        );
        for (const mail of held) {
          await deps.requeue(mail, mail.retryInMs);
        }
        counts.requeued += held.length;
        counts.skipped += ids.length - mails.length - held.length;
      }
      return mails;
    };
    let claimed: OutgoingMail[] = [];
    let claiming: Promise<void> | null = null;
    const nextMail = async (): Promise<OutgoingMail | undefined> => {
      while (claimed.length === 0) {
        if (pending.length === 0 || Date.now() > sliceEnds) {
          return undefined;
        }
        claiming ??= claimChunk(pending.splice(0, deps.claimSize))
          .then((mails) => {
            claimed = claimed.concat(mails);
          })
          .finally(() => {
            claiming = null;
          });
        await claiming;
      }
      // Past the slice, claimed mails not yet started are given back below, with the unclaimed.
      return Date.now() > sliceEnds ? undefined : claimed.shift();
    };

    const unrecordedNow: { record: SentRecord; mail: OutgoingMail }[] = [];
    let failure: unknown;
    // Once a message's server cannot be reached, the rest of that message's mails do not queue up
    // behind timeouts of their own: each is put back for a retry at once. Keyed by message, because
    // a batch may hold the mails of several posts (routed replies), whose authors may use other
    // servers.
    const unreachable = new Map<string, Extract<Attempt, { kind: 'retry' }>>();
    const sendOne = async (mail: OutgoingMail) => {
      const log = logger.child({ outgoingMailId: mail.id });
      try {
        // After the server proved unreachable the mail is not tried: it waits like a quota wait.
        // A mass mail without a message of its own goes through its lane's server.
        const key = mail.messageId ?? `lane:${mail.lane}`;
        const known = unreachable.get(key);
        const attempt: Attempt = known
          ? { kind: 'wait', waitMs: deps.retryDelayMs, why: `server unreachable: ${known.reason}` }
          : await attemptDelivery(deps, mail, log, {
              blacklisted: blacklisted.has(mail.recipientEmail.trim().toLowerCase()),
            });
        if (
          attempt.kind === 'retry' &&
          unreachableFailures.has(attempt.failureType) &&
          !unreachable.has(key)
        ) {
          unreachable.set(key, attempt);
        }
        counts[await settleInBatch(deps, mail, attempt, log)]++;
      } catch (err) {
        if (err instanceof UnrecordedSendError) {
          unrecordedNow.push({ record: err.record, mail });
        } else {
          // The mail stays claimed; the job's retry finds it held and gives it a job of its own.
          failure ??= err;
          log.warn({ err }, 'mail.attempt_failed');
        }
      }
    };
    // Every lane runs to its end before the job decides: a failed claim stops the claiming, never
    // leaves a lane sending after the job has ended.
    await Promise.all(
      Array.from({ length: deps.sendsPerJob }, async () => {
        for (;;) {
          let mail: OutgoingMail | undefined;
          try {
            mail = failure === undefined ? await nextMail() : undefined;
          } catch (err) {
            failure ??= err;
          }
          if (!mail) {
            return;
          }
          await sendOne(mail);
        }
      }),
    );
    if (unrecordedNow.length > 0) {
      // Each gets a job of its own (id = mail id, so no other job sends it meanwhile) that only
      // records it; the batch's own retry keeps them too, in case Redis refuses those jobs.
      await job.updateData({ ...job.data, sentRecords: unrecordedNow.map((u) => u.record) }).catch(() => {});
      for (const { record, mail } of unrecordedNow) {
        await deps
          .keepUnrecorded(record, mail)
          .catch((err: unknown) => logger.warn({ err }, 'mail.keep_unrecorded_failed'));
      }
      throw new Error(`${unrecordedNow.length} mails were sent but could not be recorded`, {
        cause: failure,
      });
    }
    if (failure !== undefined) {
      throw failure;
    }
    if (claimed.length > 0) {
      await releaseClaims(
        deps.db,
        claimed.map((m) => m.id),
      );
    }
    const left = [...claimed.map((m) => m.id), ...pending];
    if (left.length > 0) {
      // The slice is over: the rest goes back to the queue, behind other databases' batches.
      await deps.continueBatch({ tenantId: payload.tenantId, lane, ids: left });
      logger.info({ left: left.length }, 'batch.sliced');
    }
    logger.debug({ ...counts }, 'batch.done');
    return counts;
  };
}

/** Failures that say the server is out of reach, not that this one mail had a problem. */
const unreachableFailures = new Set(['timeout', 'dns', 'connection']);

async function settleInBatch(
  deps: SendBatchDeps,
  mail: OutgoingMail,
  attempt: Attempt,
  log: Logger,
): Promise<keyof BatchOutcome> {
  if (attempt.kind === 'settled') {
    return attempt.outcome;
  }
  if (attempt.kind === 'wait') {
    const due = await putBackToWait(deps, mail, attempt, log);
    if (due === null) {
      return 'exception';
    }
    await deps.requeue(mail, Math.max(due - Date.now(), 0));
    return 'requeued';
  }
  if (deps.maxAttempts <= 1) {
    await giveUpRetrying(deps, mail.id, attempt, mail.attempts, log);
    return 'exception';
  }
  await markRetrying(deps, mail.id, attempt);
  const jitter = Math.floor(Math.random() * deps.retryDelayMs * 0.3);
  await deps.requeue(mail, deps.retryDelayMs + jitter, deps.maxAttempts - 1);
  log.info({ reason: attempt.reason }, 'mail.retry_scheduled');
  return 'requeued';
}
