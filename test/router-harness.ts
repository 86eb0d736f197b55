import { schema } from '@sotamail/db';
import {
  freePort,
  type ServiceProcess,
  startService,
  stopServices,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { and, eq } from 'drizzle-orm';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { type DispatchHarness, startDispatchHarness, waitUntil } from './outbound-harness.js';

export type RouterHarness = {
  d: DispatchHarness;
  ingressPort: number;
  fetcher: ServiceProcess | null;
  routers: ServiceProcess[];
  startFetcher: (env?: Record<string, string>) => Promise<ServiceProcess>;
  startRouter: (env?: Record<string, string>) => Promise<ServiceProcess>;
  /** Mail to the fetcher's SMTP ingress, as another MTA would send it. */
  send: (message: SendMailOptions) => Promise<unknown>;
  rawOf: (databaseId: string) => Promise<(typeof schema.rawInboundMessages.$inferSelect)[]>;
  waitForProcessed: (
    databaseId: string,
    count: number,
    timeoutMs?: number,
  ) => Promise<(typeof schema.rawInboundMessages.$inferSelect)[]>;
  threadMessages: (databaseId: string, threadId: string) => Promise<(typeof schema.messages.$inferSelect)[]>;
  close: () => Promise<void>;
};

/**
 * The whole inbound path as processes: config-api in-process, a dispatcher sending to an SMTP sink,
 * the fetcher's SMTP ingress and routers, all on the test's own database and queue prefix. Routers
 * get the secret key, so they check the dispatcher's Reply-To tokens.
 */
export async function startRouterHarness(
  options: { ingressMaxBytes?: number; dispatcher?: boolean } = {},
): Promise<RouterHarness> {
  const d = await startDispatchHarness();
  if (options.dispatcher !== false) {
    await d.startDispatcher();
  }
  const ingressPort = await freePort();
  const all: ServiceProcess[] = [];
  const start = async (name: 'fetcher' | 'router', env: Record<string, string>) => {
    const port = await freePort();
    const proc = startService(name, {
      DATABASE_URL: d.h.db.url,
      REDIS_URL: testEnv.redisUrl,
      QUEUE_PREFIX: d.h.redis.prefix,
      HEALTH_PORT: String(port),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      SHUTDOWN_TIMEOUT_MS: '10000',
      ...env,
    });
    all.push(proc);
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, 20_000);
    return proc;
  };
  const rawOf = (databaseId: string) =>
    d.h.db.db
      .select()
      .from(schema.rawInboundMessages)
      .where(eq(schema.rawInboundMessages.tenantId, databaseId));
  const harness: RouterHarness = {
    d,
    ingressPort,
    fetcher: null,
    routers: [],
    async startFetcher(env = {}) {
      harness.fetcher = await start('fetcher', {
        SMTP_INGRESS_PORT: String(ingressPort),
        IMAP_FETCH_ENABLED: 'false',
        ...(options.ingressMaxBytes ? { SMTP_INGRESS_MAX_BYTES: String(options.ingressMaxBytes) } : {}),
        ...env,
      });
      return harness.fetcher;
    },
    async startRouter(env = {}) {
      const proc = await start('router', {
        SOTAMAIL_SECRET_KEY: d.h.deps.secretKey.toString('base64'),
        ...env,
      });
      harness.routers.push(proc);
      return proc;
    },
    send(message) {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: ingressPort,
        secure: false,
        ignoreTLS: true,
      });
      return transport.sendMail(message).finally(() => transport.close());
    },
    rawOf,
    waitForProcessed: (databaseId, count, timeoutMs = 20_000) =>
      waitUntil(
        `${count} stored mails processed`,
        () => rawOf(databaseId),
        (r) => r.length === count && r.every((x) => x.state !== 'received'),
        timeoutMs,
      ),
    threadMessages: (databaseId, threadId) =>
      d.h.db.db
        .select()
        .from(schema.messages)
        .where(and(eq(schema.messages.tenantId, databaseId), eq(schema.messages.threadId, threadId))),
    async close() {
      await stopServices(all);
      await d.close();
    },
  };
  return harness;
}
