# syntax=docker/dockerfile:1
#
# Flowtrace: the collector and the query API, one image, run as
#   docker run … flowtrace collector | query-api | start | migrate
# Built the way the README builds it: `npm ci` (which also compiles, through
# the root package's prepare script), then `npm run build`. glibc (Debian
# bookworm), not Alpine: the embedded store's native library (chdb) needs it.

ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY . .
RUN npm ci
RUN npm run build
# The compiler and test tools are not needed to run.
RUN npm prune --omit=dev

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    FLOWTRACE_DATA_DIR=/var/lib/flowtrace
WORKDIR /app
# Owned by root, read by the node user: the running process cannot change its own code.
COPY --from=build /app /app
# `start` without CLICKHOUSE_URL keeps its embedded data here (mount a volume on it).
RUN mkdir -p /var/lib/flowtrace && chown node:node /var/lib/flowtrace
USER node
EXPOSE 4317 4318 8080
# The query API's /healthz (503 when ClickHouse is unreachable). The collector
# alone has no query API: docker-compose.yml checks its /metrics instead.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "deploy/healthcheck.mjs"]
ENTRYPOINT ["node", "cli/bin/flowtrace.js"]
CMD ["start"]
