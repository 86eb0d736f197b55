import type { Logger } from '@sotamail/logging';

export type Closer = { name: string; close: () => Promise<void> | void };

export type Shutdown = {
  /** Registers a resource to close; closers run last-registered first (intake before clients). */
  register: (closer: Closer) => void;
  /**
   * Runs every closer once, with a deadline; later calls get the same promise. `exitCode` 1 marks a
   * failure (startup, uncaught error) even when every closer succeeds.
   */
  run: (reason: string, exitCode?: 0 | 1) => Promise<number>;
};

export type ShutdownOptions = {
  logger: Logger;
  timeoutMs: number;
  /** Injected so tests can observe the exit code instead of ending the test process. */
  exit?: (code: number) => void;
};

/**
 * The shutdown sequence of every service: stop intake, let in-flight work finish, close clients.
 * A closer that throws is logged and the others still run (as BullMQ's Worker.close does); if the
 * whole sequence outlives the deadline the process exits 1, because close() itself never times out.
 */
export function createShutdown(options: ShutdownOptions): Shutdown {
  const closers: Closer[] = [];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let running: Promise<number> | undefined;

  const closeAll = async (): Promise<number> => {
    let code = 0;
    for (const closer of [...closers].reverse()) {
      try {
        await closer.close();
        options.logger.debug({ closer: closer.name }, 'shutdown.closed');
      } catch (err) {
        code = 1;
        options.logger.error({ err, closer: closer.name }, 'shutdown.close_failed');
      }
    }
    return code;
  };

  const run = (reason: string, exitCode: 0 | 1 = 0): Promise<number> => {
    if (running !== undefined) {
      return running;
    }
    options.logger.info({ reason, timeoutMs: options.timeoutMs }, 'shutdown.start');
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<number>((resolve) => {
      timer = setTimeout(() => {
        options.logger.error({ timeoutMs: options.timeoutMs }, 'shutdown.deadline_passed');
        resolve(1);
      }, options.timeoutMs);
      timer.unref();
    });
    running = Promise.race([closeAll(), deadline]).then((closeCode) => {
      clearTimeout(timer);
      const code = Math.max(closeCode, exitCode);
      options.logger.info({ code }, 'shutdown.done');
      options.logger.flush();
      exit(code);
      return code;
    });
    return running;
  };

  return { register: (closer) => closers.push(closer), run };
}

/**
 * Wires SIGTERM/SIGINT to the shutdown and treats uncaught errors as fatal: a process in an unknown
 * state must not keep taking mail.
 */
export function handleProcessSignals(shutdown: Shutdown, logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => void shutdown.run(signal));
  }
  process.on('uncaughtException', (err) => {
    logger.fatal({ err }, 'process.uncaught_exception');
    void shutdown.run('uncaughtException', 1);
  });
  process.on('unhandledRejection', (err) => {
    logger.fatal({ err }, 'process.unhandled_rejection');
    void shutdown.run('unhandledRejection', 1);
  });
}
