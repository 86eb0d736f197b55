export { bootWorkerService, type WorkerServiceContext } from './boot-worker-service.js';
export { type HealthServer, type ReadinessCheck, startHealthServer } from './health-server.js';
export {
  type Closer,
  createShutdown,
  handleProcessSignals,
  type Shutdown,
  type ShutdownOptions,
} from './shutdown.js';
