export { boolEnv, commonEnv, durationMsEnv, logLevelEnv, portEnv, urlEnv } from './env-fields.js';
export { ConfigError, parseEnv } from './parse-env.js';
