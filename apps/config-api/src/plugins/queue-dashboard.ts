import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import type { Producer } from '@sotamail/queues';
import { secretsEqual } from '@sotamail/secrets';
import type { FastifyPluginAsync } from 'fastify';
import { credentialOf } from './auth.js';

export const dashboardPath = '/admin/queues';

/**
 * bull-board for every queue (waiting, active, delayed, failed, with retry), for the operator only.
 * Browsers get a Basic-auth prompt: any user name, the operator token as password.
 */
export const queueDashboardPlugin: FastifyPluginAsync<{ producer: Producer; operatorToken: string }> = async (
  app,
  options,
) => {
  app.addHook('onRequest', async (request, reply) => {
    const credential = credentialOf(request);
    if (!credential || !secretsEqual(credential, options.operatorToken)) {
      await reply
        .code(401)
        .header('www-authenticate', 'Basic realm="SotaMail queues", charset="UTF-8"')
        .send({
          error: {
            code: 'UNAUTHORIZED',
            message: 'The queue dashboard needs the operator token (Basic auth password or Bearer).',
            requestId: request.id,
          },
        });
    }
  });
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(dashboardPath);
  createBullBoard({
    queues: [...options.producer.queues.values()].map((q) => new BullMQAdapter(q)),
    serverAdapter,
  });
  await app.register(serverAdapter.registerPlugin(), { prefix: dashboardPath });
};
