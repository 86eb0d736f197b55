import { commonEnv, parseEnv, portEnv } from '@sotamail/config';
import { z } from 'zod';

const ConfigApiEnvSchema = z.object({
  ...commonEnv,
  HOST: z.string().default('127.0.0.1'),
  PORT: portEnv(8080),
  SOTAMAIL_OPERATOR_TOKEN: z
    .string({ message: 'is required: the operator credential of the API' })
    .min(24, 'must be at least 24 characters'),
  SOTAMAIL_SECRET_KEY: z
    .string({ message: 'is required: base64 of 32 random bytes (openssl rand -base64 32)' })
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be base64 of exactly 32 bytes'),
  SOTAMAIL_PLATFORM_MAIL_DOMAIN: z
    .string()
    .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/i, 'must be a domain name')
    .default('erp.sota-solutions.com'),
});

export type ConfigApiConfig = z.infer<typeof ConfigApiEnvSchema>;

export function loadConfig(env: Record<string, string | undefined>): ConfigApiConfig {
  return parseEnv(ConfigApiEnvSchema, env);
}
