import { type Logger, type LoggerOptions, pino } from 'pino';

export type { Logger } from 'pino';

export type CreateLoggerOptions = {
  service: string;
  version?: string;
  level?: string;
  /** Where JSON lines go; stdout by default. Tests pass a stream to read what was logged. */
  destination?: pino.DestinationStream;
};

/**
 * Fields that must never reach a log line: credentials of mail servers and API callers, and message
 * bodies (privacy, and size). Paths are matched at any of the listed depths.
 */
export const redactPaths = [
  'password',
  '*.password',
  '*.*.password',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
  'clientSecret',
  '*.clientSecret',
  'keyPem',
  '*.keyPem',
  'apiKey',
  '*.apiKey',
  'secretKey',
  '*.secretKey',
  'operatorToken',
  '*.operatorToken',
  'req.headers.authorization',
  'headers.authorization',
  'raw',
  '*.raw',
  'html',
  '*.html',
  'text',
  '*.text',
];

/**
 * Drizzle puts a failed query's parameters in the error's message ("Failed query: … params: …"):
 * message bodies, attachments, addresses. Logs keep the query and the cause, never the parameters.
 */
export function withoutQueryParams(text: string): string {
  const at = text.indexOf('\nparams:');
  return at === -1 ? text : `${text.slice(0, at)}\nparams: [redacted]`;
}

function serializeError(err: unknown) {
  const serialized = pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>;
  for (const key of ['message', 'stack']) {
    if (typeof serialized[key] === 'string') {
      serialized[key] = withoutQueryParams(serialized[key] as string);
    }
  }
  return serialized;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service, version: options.version ?? '0.0.0' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
