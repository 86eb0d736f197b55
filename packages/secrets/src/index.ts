export { apiKeyPrefix, generateApiKey, hashApiKey, secretsEqual } from './api-key.js';
export {
  createSecretBox,
  parseSecretKey,
  type SecretBox,
  SecretDecryptError,
  SecretKeyError,
  serverSecretContext,
} from './secret-box.js';
export { createTokenSigner, type TokenSigner } from './token-signer.js';
