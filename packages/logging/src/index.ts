export {
  type CreateLoggerOptions,
  createLogger,
  type Logger,
  redactPaths,
  withoutQueryParams,
} from './create-logger.js';
