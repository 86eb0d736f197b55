export { type CreateLoggerOptions, createLogger, type Logger, redactPaths } from './create-logger.js';
