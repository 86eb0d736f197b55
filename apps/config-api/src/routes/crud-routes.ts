import type { DbOrTx, Tenant, tenantRows } from '@sotamail/db';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { loadTenant } from '../plugins/auth.js';
import { DatabaseParams, errorResponses, ObjectParams } from '../schemas/common.js';

type Rows = ReturnType<typeof tenantRows>;
type Row = { id: string; tenantId: string };
type Params = { databaseId: string; id: string };

export type CrudSpec<C extends z.ZodType, U extends z.ZodType, O extends z.ZodType> = {
  /** URL segment under /v1/databases/:databaseId, e.g. `aliases`. */
  path: string;
  /** Singular name for messages, e.g. `Alias`. */
  noun: string;
  tag: string;
  rows: Rows;
  create: C;
  update: U;
  out: O;
  toOut: (row: never) => z.infer<O>;
  /** Turns validated input into column values, checking what needs the database (references). */
  toValues: (
    input: z.infer<C> | z.infer<U>,
    context: { db: DbOrTx; tenant: Tenant; existing?: Row },
  ) => Promise<Record<string, unknown>>;
};

/**
 * The create / list / read / update / delete routes shared by tenant-owned objects. Every query is
 * scoped by the database id of the URL after `loadTenant` checked the caller may see it. Bodies and
 * params are validated by the zod schemas given here before a handler runs.
 */
export function registerCrudRoutes<C extends z.ZodType, U extends z.ZodType, O extends z.ZodType>(
  app: FastifyInstance,
  deps: AppDeps,
  spec: CrudSpec<C, U, O>,
): void {
  const { db } = deps.handle;
  const base = `/v1/databases/:databaseId/${spec.path}`;
  const toOut = spec.toOut as (row: unknown) => z.infer<O>;
  const noun = spec.noun.toLowerCase();
  const tags = [spec.tag];

  app.post(
    base,
    {
      schema: {
        tags,
        summary: `Create a ${noun}`,
        params: DatabaseParams,
        body: spec.create,
        response: { 201: spec.out, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { databaseId } = request.params as Params;
      const tenant = await loadTenant(request, deps.handle, databaseId);
      const values = await spec.toValues(request.body as z.infer<C>, { db, tenant });
      const row = await spec.rows.insert(db, { ...values, tenantId: tenant.id } as never);
      return reply.code(201).send(toOut(row));
    },
  );

  app.get(
    base,
    {
      schema: {
        tags,
        summary: `List ${spec.path}`,
        params: DatabaseParams,
        response: { 200: z.object({ items: z.array(spec.out) }), ...errorResponses },
      },
    },
    async (request) => {
      const tenant = await loadTenant(request, deps.handle, (request.params as Params).databaseId);
      return { items: (await spec.rows.list(db, tenant.id)).map(toOut) };
    },
  );

  app.get(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Read a ${noun}`,
        params: ObjectParams,
        response: { 200: spec.out, ...errorResponses },
      },
    },
    async (request) => {
      const { databaseId, id } = request.params as Params;
      const tenant = await loadTenant(request, deps.handle, databaseId);
      const row = await spec.rows.find(db, tenant.id, id);
      if (!row) {
        throw notFound(spec.noun, id);
      }
      return toOut(row);
    },
  );

  app.patch(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Change a ${noun}`,
        params: ObjectParams,
        body: spec.update,
        response: { 200: spec.out, ...errorResponses },
      },
    },
    async (request) => {
      const { databaseId, id } = request.params as Params;
      const tenant = await loadTenant(request, deps.handle, databaseId);
      const existing = (await spec.rows.find(db, tenant.id, id)) as Row | undefined;
      if (!existing) {
        throw notFound(spec.noun, id);
      }
      const values = await spec.toValues(request.body as z.infer<U>, { db, tenant, existing });
      const row = await spec.rows.update(db, tenant.id, id, values as never);
      if (!row) {
        throw notFound(spec.noun, id);
      }
      return toOut(row);
    },
  );

  app.delete(
    `${base}/:id`,
    {
      schema: {
        tags,
        summary: `Delete a ${noun}`,
        params: ObjectParams,
        response: { 204: z.null(), ...errorResponses },
      },
    },
    async (request, reply) => {
      const { databaseId, id } = request.params as Params;
      const tenant = await loadTenant(request, deps.handle, databaseId);
      if (!(await spec.rows.remove(db, tenant.id, id))) {
        throw notFound(spec.noun, id);
      }
      return reply.code(204).send(null);
    },
  );
}
