/** Where the integration tests find PostgreSQL and Redis (started by `infra/local-services.sh`). */
export const testEnv = {
  /** A role with CREATEDB: each test file gets a database of its own, cloned from a template. */
  pgAdminUrl: process.env.TEST_PG_ADMIN_URL ?? 'postgres://sotamail:sotamail@127.0.0.1:5432/postgres',
  /** Redis database 1: the local running system uses 0, tests never touch it. */
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1',
};

/**
 * Each test run has its own template and databases, named after the run (its start in epoch seconds),
 * so two runs on one machine never drop each other's. The global setup sets the run id in the
 * environment, which the test workers inherit.
 */
export function testRunId(): string {
  const id = process.env.SOTAMAIL_TEST_RUN ?? String(Math.floor(Date.now() / 1000));
  process.env.SOTAMAIL_TEST_RUN = id;
  return id;
}

export const templateDatabase = () => `sotamail_tpl_${testRunId()}`;
export const databasePrefix = () => `sotamail_t_${testRunId()}_`;

export function databaseUrl(name: string): string {
  const url = new URL(testEnv.pgAdminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
