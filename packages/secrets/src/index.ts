export { apiKeyPrefix, generateApiKey, hashApiKey, secretsEqual } from './api-key.js';
export {
  createSecretBox,
  parseSecretKey,
  type SecretBox,
  SecretDecryptError,
  SecretKeyError,
} from './secret-box.js';
