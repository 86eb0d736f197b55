import { bootWorkerService } from '@sotamail/lifecycle';

// The fetcher will pull IMAP/POP3 mailboxes and accept SMTP for alias domains (the inbound issue).
// For now it boots, connects to PostgreSQL and Redis, serves its health checks and stops cleanly.
await bootWorkerService({ service: 'fetcher', defaultHealthPort: 8081 });
