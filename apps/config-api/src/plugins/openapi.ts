import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** The OpenAPI description, built from the routes' zod schemas; the UI is served at /docs. */
export const openApiPlugin = fp(async (app: FastifyInstance) => {
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'SotaMail configuration API',
        version: '0.1.0',
        description:
          'Databases (tenants), system parameters, outgoing and incoming mail servers, aliases, contacts, threads and followers. ' +
          'Authenticate with `Authorization: Bearer <token>`: the operator token, or an API key of one database. ' +
          'Every error answer has the form `{ "error": { "code", "message", "requestId" } }`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
});
