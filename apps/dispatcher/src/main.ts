import { bootWorkerService } from '@sotamail/lifecycle';

// The dispatcher will consume the `outbound` and `mass` queues (the outbound issue). For now it
// boots, connects to PostgreSQL and Redis, serves its health checks and stops cleanly.
await bootWorkerService({ service: 'dispatcher', defaultHealthPort: 8083 });
