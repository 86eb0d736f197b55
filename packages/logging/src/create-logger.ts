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

export function createLogger(options: CreateLoggerOptions): Logger {
  const config: LoggerOptions = {
    level: options.level ?? 'info',
    base: { service: options.service, version: options.version ?? '0.0.0' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  };
  return options.destination ? pino(config, options.destination) : pino(config);
}
