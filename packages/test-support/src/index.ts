export { databaseUrl, testEnv } from './env.js';
export { freePort, repoRoot, type ServiceProcess, startService, waitForHttp } from './service-process.js';
export {
  type ReceivedMail,
  type SinkBehaviour,
  type SinkReply,
  type SmtpSink,
  startSmtpSink,
} from './smtp-sink.js';
export { createTestDatabase, type TestDatabase } from './test-database.js';
export { createTestRedis, type TestRedis } from './test-redis.js';
