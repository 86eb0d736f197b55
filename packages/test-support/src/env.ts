/** Where the integration tests find PostgreSQL and Redis (started by `infra/local-services.sh`). */
export const testEnv = {
  /** A role with CREATEDB: each test file gets a database of its own, cloned from a template. */
  pgAdminUrl: process.env.TEST_PG_ADMIN_URL ?? 'postgres://sotamail:sotamail@127.0.0.1:5432/postgres',
  /** Redis database 1: the local running system uses 0, tests never touch it. */
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1',
};

export const templateDatabase = 'sotamail_test_template';

export function databaseUrl(name: string): string {
  const url = new URL(testEnv.pgAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
