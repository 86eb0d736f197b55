export { dropDatabasePatiently } from './drop-database.js';
export { databaseUrl, testEnv } from './env.js';
export {
  freePort,
  repoRoot,
  type ServiceProcess,
  startReadyService,
  startScript,
  startService,
  stopServices,
  waitForHttp,
} from './service-process.js';
export {
  type ReceivedMail,
  type SinkBehaviour,
  type SinkReply,
  type SmtpSink,
  startSmtpSink,
} from './smtp-sink.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
export { startTestDovecot, type TestDovecot } from './test-dovecot.js';
export { createTestRedis, type TestRedis } from './test-redis.js';
export { waitUntil } from './wait-until.js';
