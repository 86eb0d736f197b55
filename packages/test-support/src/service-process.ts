import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export type ServiceProcess = {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/**
 * Starts a service from its TypeScript sources as its own process, the way `npm start` runs it from
 * dist/, so the tests see the real start, health checks and shutdown.
 */
export function startService(
  service: string,
  env: Record<string, string>,
  /** Extra flags for node, e.g. `--cpu-prof` from a benchmark. */
  nodeArgs: readonly string[] = [],
): ServiceProcess {
  return startScript(`apps/${service}/src/main.ts`, env, nodeArgs);
}

/** Starts a TypeScript entry point (a path from the repository root) as a service is started. */
export function startScript(
  entry: string,
  env: Record<string, string>,
  nodeArgs: readonly string[] = [],
): ServiceProcess {
  const child = spawn(
    process.execPath,
    [...nodeArgs, '--import', 'tsx', '--conditions=@sotamail/source', entry],
    {
      cwd: repoRoot,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (d) => {
    output += String(d);
  });
  child.stderr?.on('data', (d) => {
    output += String(d);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, output: () => output, exited };
}

export async function waitForHttp(url: string, timeoutMs: number, expectStatus = 200): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url);
      if (res.status === expectStatus) {
        return res;
      }
      last = `status ${res.status}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`${url} did not answer ${expectStatus} within ${timeoutMs} ms (last: ${last})`);
}

/** A free TCP port on loopback (bound and released; the tests run on one machine). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/**
 * Starts a worker service on a free health port and resolves once it answers GET /health/ready; on
 * failure the error carries what the service printed.
 */
export async function startReadyService(
  service: string,
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ServiceProcess & { healthPort: number }> {
  const healthPort = await freePort();
  const proc = startService(service, { ...env, HEALTH_PORT: String(healthPort) });
  try {
    await waitForHttp(`http://127.0.0.1:${healthPort}/health/ready`, timeoutMs);
  } catch (err) {
    proc.child.kill('SIGKILL');
    throw new Error(`${service} did not get ready: ${(err as Error).message}\n${proc.output().slice(-2000)}`);
  }
  return { ...proc, healthPort };
}

/** Stops services (SIGTERM, as an operator would) and waits for every one to exit. */
export async function stopServices(services: readonly ServiceProcess[]): Promise<void> {
  for (const proc of services) {
    if (proc.child.exitCode === null && proc.child.signalCode === null) {
      proc.child.kill('SIGTERM');
    }
  }
  await Promise.all(services.map((p) => p.exited));
}
