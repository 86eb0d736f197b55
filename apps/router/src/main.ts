import { bootWorkerService } from '@sotamail/lifecycle';

// The router will consume the `inbound` queue (the inbound issue). For now it boots, connects to
// PostgreSQL and Redis, serves its health checks and stops cleanly; it takes no job it cannot do.
await bootWorkerService({ service: 'router', defaultHealthPort: 8082 });
