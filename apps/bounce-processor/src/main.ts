import { bootWorkerService } from '@sotamail/lifecycle';

// The bounce-processor will consume the `bounce` queue (the bounce issue). For now it boots,
// connects to PostgreSQL and Redis, serves its health checks and stops cleanly.
await bootWorkerService({ service: 'bounce-processor', defaultHealthPort: 8084 });
