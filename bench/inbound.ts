// Inbound benchmark: N varied mails (5,000 by default, a seeded mix: replies, alias mail, catchall,
// auto-replies, delivery reports, several charsets, attachments) sent by concurrent SMTP clients to
// the fetcher's SMTP ingress, stored, queued and routed into threads by the router, both running as
// real processes on a throw-away database and queue prefix. In the same run the same mails are parsed
// by bare mailparser (simpleParser), one after another in-process: the ceiling. Both are measured
// warm: mails of the same mix to other databases are routed, and parsed, before the clocks start.
// Needs the local services (`npm run setup`).
//   npm run bench:inbound                       (BENCH_INBOUND_COUNT=500 for a quick run)
//   npm run bench:inbound:floor                 the same run with inbound-floor-router.ts in place of
//                                               the router: what the path costs before any routing
//   BENCH_SMTP_CLIENTS=8 BENCH_ROUTERS=1 BENCH_ROUTER_CONCURRENCY=… BENCH_INBOUND_SEED=…
//   BENCH_WARMUP_COUNT=1000
//   BENCH_CPU_PROF_DIR=/tmp/prof (V8 profiles of the services)

import { cpus, loadavg } from 'node:os';
import {
  freePort,
  type ServiceProcess,
  startScript,
  startService,
  stopServices,
  testEnv,
  waitForHttp,
} from '@sotamail/test-support';
import { Queue } from 'bullmq';
import { simpleParser } from 'mailparser';
import { type Harness, startHarness } from '../apps/config-api/test/api-harness.js';
import setupTemplate from '../packages/test-support/src/global-setup.js';
import { describeMachineCpu, machineCpu } from './inbound-machine-cpu.js';
import { generateMailMix, planWorld } from './inbound-mail-mix.js';
import { seededRandom } from './inbound-mime.js';
import { checkFloorOutcome, checkOutcome } from './inbound-outcome.js';
import { describePgWork, pgSnapshot } from './inbound-pg-stats.js';
import { type RouterSettings, sendAndWaitRouted } from './inbound-run.js';
import { seedWorld } from './inbound-seed.js';

function positiveInt(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    process.stderr.write(`${name} must be a whole number of at least 1 (got "${raw}")\n`);
    process.exit(2);
  }
  return value;
}

const count = positiveInt('BENCH_INBOUND_COUNT', 5_000);
const warmupCount = positiveInt('BENCH_WARMUP_COUNT', 1_000);
const clients = positiveInt('BENCH_SMTP_CLIENTS', 8);
const routers = positiveInt('BENCH_ROUTERS', 1);
const seed = positiveInt('BENCH_INBOUND_SEED', 20_260_302);
const routerConcurrency = process.env.BENCH_ROUTER_CONCURRENCY;
const floor = process.env.BENCH_INBOUND_FLOOR === '1';

const random = seededRandom(seed);
const world = planWorld(random);
const mails = generateMailMix(random, world, count);
// Mail of the same mix to other databases, routed before the clock starts and parsed before the
// baseline's: both sides are measured warm (V8 has compiled their hot code), as a long-running
// router is, rather than mostly measuring the JIT compiler on a two-core machine.
const warmRandom = seededRandom(seed + 1);
const warmWorld = planWorld(warmRandom, 'warm');
const warmMails = generateMailMix(warmRandom, warmWorld, warmupCount);
const bytes = mails.reduce((n, m) => n + m.raw.length, 0);
process.stdout.write(
  `inbound benchmark: ${count} mails (${(bytes / 1024 / 1024).toFixed(1)} MB, seed ${seed}) after ${warmupCount} to warm up, ${clients} SMTP clients, ${routers} ${floor ? 'floor consumer' : 'router'} process(es)` +
    `${routerConcurrency ? `, ROUTER_CONCURRENCY=${routerConcurrency}` : ''}; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}\n`,
);

async function startInbound(h: Harness): Promise<{ ingressPort: number; services: ServiceProcess[] }> {
  const services: ServiceProcess[] = [];
  const common = {
    DATABASE_URL: h.db.url,
    REDIS_URL: testEnv.redisUrl,
    QUEUE_PREFIX: h.redis.prefix,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    // The services write V8 CPU profiles there when they stop (see inbound-cpu-profile.ts).
    ...(process.env.BENCH_CPU_PROF_DIR
      ? {
          BENCH_CPU_PROF_DIR: process.env.BENCH_CPU_PROF_DIR,
          NODE_OPTIONS: `--import tsx --import ${new URL('./inbound-cpu-profile.ts', import.meta.url).pathname}`,
        }
      : {}),
  };
  const ingressPort = await freePort();
  const start = async (service: 'fetcher' | 'router', env: Record<string, string>) => {
    const healthPort = await freePort();
    const serviceEnv = { ...common, ...env, HEALTH_PORT: String(healthPort) };
    const proc =
      service === 'router' && floor
        ? startScript('bench/inbound-floor-router.ts', serviceEnv)
        : startService(service, serviceEnv);
    services.push(proc);
    try {
      await waitForHttp(`http://127.0.0.1:${healthPort}/health/ready`, 30_000);
    } catch (err) {
      throw new Error(`the ${service} did not start: ${(err as Error).message}\n${proc.output()}`);
    }
  };
  await start('fetcher', { SMTP_INGRESS_PORT: String(ingressPort), IMAP_FETCH_ENABLED: 'false' });
  for (let i = 0; i < routers; i++) {
    await start('router', routerConcurrency ? { ROUTER_CONCURRENCY: routerConcurrency } : {});
  }
  return { ingressPort, services };
}

async function sotamail(settings: RouterSettings): Promise<number> {
  const dropTemplate = await setupTemplate();
  const h = await startHarness();
  let services: ServiceProcess[] = [];
  try {
    const tenantIds = await seedWorld(h, world);
    const warmTenantIds = await seedWorld(h, warmWorld);
    const started = await startInbound(h);
    services = started.services;
    const inboundQueue = new Queue('inbound', { connection: h.redis.redis, prefix: h.redis.prefix });
    const unfinishedJobs = async () =>
      Object.values(await inboundQueue.getJobCounts('wait', 'active', 'delayed', 'prioritized')).reduce(
        (a, b) => a + b,
        0,
      );
    const warm = await sendAndWaitRouted({
      db: h.db,
      tenantIds: warmTenantIds,
      mails: warmMails,
      ingressPort: started.ingressPort,
      clients,
      settings,
      unfinishedJobs,
    });
    process.stdout.write(`  warm-up: ${warmupCount} mails routed in ${warm.seconds.toFixed(1)} s\n`);
    const before = await pgSnapshot(h.db);
    const cpuBefore = machineCpu();
    const run = await sendAndWaitRouted({
      db: h.db,
      tenantIds,
      mails,
      ingressPort: started.ingressPort,
      clients,
      settings,
      unfinishedJobs,
    });
    const cpuAfter = machineCpu();
    await stopServices(services);
    await inboundQueue.close();
    const pgWork = describePgWork(before, await pgSnapshot(h.db), count);
    const outcome = floor
      ? await checkFloorOutcome(h.db, tenantIds, mails.length)
      : await checkOutcome(h.db, tenantIds, mails);
    process.stdout.write(
      `${run.summary}\n  ${describeMachineCpu(cpuBefore, cpuAfter, count)}\n${pgWork}\n${outcome.summary}\n`,
    );
    if (!outcome.ok) {
      throw new Error(outcome.problem);
    }
    return count / run.seconds;
  } finally {
    await stopServices(services);
    // The throw-away database, the template and every Redis key under this run's prefix.
    // (Its drop waits out an autovacuum still working in the database, see dropDatabasePatiently.)
    await h.close();
    await dropTemplate();
  }
}

async function baseline(): Promise<number> {
  for (const mail of warmMails) {
    await simpleParser(mail.raw);
  }
  const started = performance.now();
  for (const mail of mails) {
    await simpleParser(mail.raw);
  }
  return count / ((performance.now() - started) / 1000);
}

const fmt = (n: number) => n.toFixed(1);
try {
  // The ceiling before and after ours, and their mean: the machine's speed drifts over a run.
  const before = await baseline();
  const x = await sotamail({ stallMs: 120_000, progressEveryMs: 15_000 });
  const after = await baseline();
  const y = (before + after) / 2;
  process.stdout.write(`  baseline: ${fmt(before)} msg/s before, ${fmt(after)} msg/s after\n`);
  // Other work on the machine skews both numbers: the load says how quiet it was.
  process.stdout.write(`  load average at the end: ${loadavg()[0]?.toFixed(1)}\n`);
  process.stdout.write(
    `inbound${floor ? ' floor' : ''}: sotamail ${fmt(x)} msg/s, baseline ${fmt(y)} msg/s, ratio ${(x / y).toFixed(2)}\n`,
  );
  process.exit(0);
} catch (err) {
  process.stderr.write(`inbound benchmark failed: ${(err as Error).message}\n`);
  process.exit(1);
}
