// biome-ignore-all lint/suspicious/noUndeclaredEnvVars: read when the container runs, not by a turbo task
// Docker HEALTHCHECK of the SotaMail image: GET /health/ready of the service this container runs
// (named by SERVICE, or by the entry point in /tmp/sotamail-service). Exit 0 = healthy.
import { readFileSync } from 'node:fs';

const defaultPorts = {
  'config-api': 8080,
  fetcher: 8081,
  router: 8082,
  dispatcher: 8083,
  'bounce-processor': 8084,
};

function currentService() {
  if (process.env.SERVICE) {
    return process.env.SERVICE;
  }
  try {
    return readFileSync('/tmp/sotamail-service', 'utf8').trim();
  } catch {
    return '';
  }
}

const service = currentService();
if (!(service in defaultPorts)) {
  // migrate, or a command of the operator's: nothing listens.
  process.exit(0);
}
const port = (service === 'config-api' ? process.env.PORT : process.env.HEALTH_PORT) || defaultPorts[service];
try {
  const res = await fetch(`http://127.0.0.1:${port}/health/ready`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
