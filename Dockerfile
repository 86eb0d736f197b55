# syntax=docker/dockerfile:1
# One image for the five SotaMail services (and the migrations). The container's argument, or the
# SERVICE variable, chooses what runs: config-api | fetcher | router | dispatcher | bounce-processor |
# migrate (see infra/docker/entrypoint.sh). docker-compose.yml runs them all.
#
#   docker build -t sotamail:local .
#   docker run --rm -e DATABASE_URL=… -e REDIS_URL=… sotamail:local migrate
#   docker run -e SERVICE=dispatcher -e DATABASE_URL=… -e REDIS_URL=… -e SOTAMAIL_SECRET_KEY=… sotamail:local

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV CI=true TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 NPM_CONFIG_UPDATE_NOTIFIER=false
# The npm the lockfile was written with (package.json "packageManager").
COPY package.json ./
RUN npm install -g --no-audit --no-fund "$(node -p 'require("./package.json").packageManager')"
COPY . .
RUN npm ci --no-audit --no-fund
RUN npx --no -- turbo run build --output-logs=errors-only
# Keep only what runs: dependencies without devDependencies, dist/ and the SQL migrations.
RUN npm prune --omit=dev --no-audit --no-fund \
  && rm -rf .turbo node_modules/.cache

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    HEALTH_HOST=0.0.0.0
WORKDIR /app
# Owned by root, read-only for the service user.
COPY --from=build /app /app
USER node
EXPOSE 8080 8081 8082 8083 8084
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "/app/infra/docker/healthcheck.mjs"]
ENTRYPOINT ["/app/infra/docker/entrypoint.sh"]
CMD []
