import { randomBytes } from 'node:crypto';
import { createLogger } from '@sotamail/logging';
import { createProducer, pingRedis } from '@sotamail/queues';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  type TestRedis,
} from '@sotamail/test-support';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import type { AppDeps } from '../src/deps.js';
import { probeSmtpServer } from '../src/smtp-probe/index.js';

export type Harness = {
  app: FastifyInstance;
  db: TestDatabase;
  redis: TestRedis;
  deps: AppDeps;
  operatorToken: string;
  /** inject() with the operator token unless `token` says otherwise (null = no credential). */
  call: (options: InjectOptions & { token?: string | null }) => Promise<LightMyRequestResponse>;
  close: () => Promise<void>;
};

/** config-api on a fresh PostgreSQL database and its own Redis queue prefix, without a port. */
export async function startHarness(): Promise<Harness> {
  const db = await createTestDatabase();
  const redis = await createTestRedis('producer');
  const producer = createProducer(redis.redis, redis.prefix);
  const operatorToken = randomBytes(24).toString('base64url');
  const deps: AppDeps = {
    handle: db,
    producer,
    secretKey: randomBytes(32),
    operatorToken,
    platformMailDomain: 'erp.example.test',
    probeSmtp: probeSmtpServer,
    oauthAccessToken: async () => ({ ok: false, message: 'no OAuth provider in tests' }),
  };
  const app = await buildApp({
    deps,
    logger: createLogger({ service: 'config-api-test', level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    pingRedis: () => pingRedis(redis.redis),
  });
  await app.ready();
  return {
    app,
    db,
    redis,
    deps,
    operatorToken,
    call: ({ token, ...options }) => {
      const credential = token === undefined ? operatorToken : token;
      return app.inject({
        ...options,
        headers: {
          ...(credential === null ? {} : { authorization: `Bearer ${credential}` }),
          ...options.headers,
        },
      });
    },
    async close() {
      await app.close();
      await producer.close();
      await redis.close();
      await db.drop();
    },
  };
}
