import { type SQL, sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type { DbOrTx } from '../client.js';

/**
 * A statement run for every incoming mail, written with `sql.placeholder`s: rendered to SQL once, and
 * prepared by name on each connection, inside a transaction too (unlike preparedOn). Neither Drizzle
 * nor PostgreSQL builds or plans it again for each mail.
 */
export function namedStatement<Row extends Record<string, unknown>>(name: string, statement: SQL) {
  const query = new PgDialect({ casing: 'snake_case' }).sqlToQuery(statement);
  return async (db: DbOrTx, values: Record<string, unknown>): Promise<Row[]> => {
    const prepared = db._.session.prepareQuery<{ execute: { rows: Row[] }; all: unknown; values: unknown }>(
      query,
      undefined,
      name,
      false,
    );
    return (await prepared.execute(values)).rows;
  };
}

/** A named value of a namedStatement, given at each run. */
export const placeholder = (name: string) => sql.placeholder(name);
