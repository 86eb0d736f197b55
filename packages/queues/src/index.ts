export {
  type JobName,
  type JobPayload,
  type JobsOfQueue,
  jobCatalog,
  type QueueName,
  queueNames,
} from './catalog.js';
export { assertNoEviction, createRedisConnection, pingRedis, whenRedisReady } from './connection.js';
export { PermanentError, TransientError } from './errors.js';
export {
  createProducer,
  enqueueOnce,
  enqueueSendBatches,
  enqueueSendMail,
  type Producer,
  sendBatchSize,
} from './producer.js';
export { createRouteBatcher, type RouteBatcher, routeBatchSize } from './route-batcher.js';
export {
  type CreateWorkerOptions,
  createWorker,
  failedForGood,
  type JobContext,
  type JobHandler,
  type QueueHandlers,
} from './worker.js';
