import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReadinessCheck = { name: string; check: () => Promise<void> };

export type HealthServer = { server: Server; port: number; close: () => Promise<void> };

const checkTimeoutMs = 2_000;

async function runCheck(check: ReadinessCheck): Promise<{ name: string; ok: boolean; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${checkTimeoutMs} ms`)), checkTimeoutMs);
  });
  try {
    await Promise.race([check.check(), timeout]);
    return { name: check.name, ok: true };
  } catch (err) {
    return { name: check.name, ok: false, error: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * /health answers while the process runs (liveness); /health/ready also asks Redis and PostgreSQL
 * (readiness), so an orchestrator stops sending work to an instance that lost them.
 */
export async function startHealthServer(options: {
  host: string;
  port: number;
  checks: ReadinessCheck[];
  service: string;
}): Promise<HealthServer> {
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET') {
      reply(405, { error: { code: 'METHOD_NOT_ALLOWED', message: 'Only GET is served here.' } });
      return;
    }
    if (req.url === '/health') {
      reply(200, { status: 'ok', service: options.service });
      return;
    }
    if (req.url === '/health/ready') {
      void Promise.all(options.checks.map(runCheck)).then((results) => {
        const ready = results.every((r) => r.ok);
        reply(ready ? 200 : 503, {
          status: ready ? 'ready' : 'not-ready',
          service: options.service,
          checks: results,
        });
      });
      return;
    }
    reply(404, { error: { code: 'NOT_FOUND', message: 'Try /health or /health/ready.' } });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
