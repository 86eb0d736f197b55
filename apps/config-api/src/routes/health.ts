import { pingDb } from '@sotamail/db';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';

const Check = z.object({ name: z.string(), ok: z.boolean(), error: z.string().optional() });

export const healthRoutes: FastifyPluginAsyncZod<{ deps: AppDeps; pingRedis: () => Promise<void> }> = async (
  app,
  options,
) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Liveness',
        security: [],
        response: { 200: z.object({ status: z.literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/health/ready',
    {
      schema: {
        tags: ['health'],
        summary: 'Readiness: PostgreSQL and Redis answer',
        security: [],
        response: {
          200: z.object({ status: z.string(), checks: z.array(Check) }),
          503: z.object({ status: z.string(), checks: z.array(Check) }),
        },
      },
    },
    async (_request, reply) => {
      const run = async (name: string, fn: () => Promise<void>) => {
        try {
          await fn();
          return { name, ok: true };
        } catch (err) {
          return { name, ok: false, error: err instanceof Error ? err.message : String(err) };
        }
      };
      const checks = await Promise.all([
        run('postgres', () => pingDb(options.deps.handle)),
        run('redis', options.pingRedis),
      ]);
      const ready = checks.every((c) => c.ok);
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not-ready', checks });
    },
  );
};
