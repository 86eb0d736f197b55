import type { Logger } from '@sotamail/logging';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AppDeps } from './deps.js';
import { authPlugin } from './plugins/auth.js';
import { errorHandlerPlugin } from './plugins/error-handler.js';
import { openApiPlugin } from './plugins/openapi.js';
import { queueDashboardPlugin } from './plugins/queue-dashboard.js';
import { blacklistRoutes } from './routes/blacklist.js';
import { bounceRoutes } from './routes/bounces.js';
import { databaseRoutes } from './routes/databases.js';
import { directoryRoutes } from './routes/directory.js';
import { followerRoutes } from './routes/followers.js';
import { healthRoutes } from './routes/health.js';
import { inboundRoutes } from './routes/inbound.js';
import { incomingServerRoutes } from './routes/incoming-servers.js';
import { messageRoutes } from './routes/messages.js';
import { outgoingServerRoutes } from './routes/outgoing-servers.js';
import { parameterRoutes } from './routes/parameters.js';
import { previewRoutes } from './routes/preview.js';
import { routePreviewRoutes } from './routes/route-preview.js';
import { testConnectionRoutes } from './routes/test-connection.js';

export type BuildAppOptions = { deps: AppDeps; logger: Logger; pingRedis: () => Promise<void> };

/** The whole HTTP application, without listening: main.ts listens, tests use inject(). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: 2 * 1024 * 1024,
    // Behind a proxy the request id of the proxy is kept, so one id follows a request end to end.
    requestIdHeader: 'x-request-id',
  });
  // An empty body with a JSON content type (PUT a follower, POST a retry) means "no body": clients and
  // curl helpers send the header on every call.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('The body is not valid JSON.'), { statusCode: 400 }), undefined);
    }
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  await app.register(errorHandlerPlugin);
  await app.register(openApiPlugin);
  await app.register(authPlugin, { operatorToken: options.deps.operatorToken, handle: options.deps.handle });
  await app.register(healthRoutes, { deps: options.deps, pingRedis: options.pingRedis });

  const routes = [
    databaseRoutes,
    parameterRoutes,
    outgoingServerRoutes,
    testConnectionRoutes,
    previewRoutes,
    incomingServerRoutes,
    directoryRoutes,
    followerRoutes,
    messageRoutes,
    inboundRoutes,
    routePreviewRoutes,
    blacklistRoutes,
    bounceRoutes,
  ];
  for (const route of routes) {
    await app.register(route, { deps: options.deps });
  }
  // Not wrapped in fastify-plugin: its operator check applies to the dashboard routes only.
  await app.register(queueDashboardPlugin, {
    producer: options.deps.producer,
    operatorToken: options.deps.operatorToken,
  });
  return app;
}
