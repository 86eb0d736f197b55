import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';

/** An SMTP server that accepts and drains everything, counting messages: the fixed end of both runs. */
export async function startFastSink(): Promise<{
  port: number;
  count: () => number;
  waitFor: (n: number, timeoutMs: number) => Promise<void>;
  close: () => Promise<void>;
}> {
  let received = 0;
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    maxClients: 200,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        received++;
        callback();
      });
      stream.resume();
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    port: (server.server.address() as AddressInfo).port,
    count: () => received,
    async waitFor(n, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (received < n) {
        if (Date.now() > deadline) {
          throw new Error(`sink received ${received} of ${n} within ${timeoutMs} ms`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
