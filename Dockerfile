# One image for the api and the worker; the command picks the process.
# The base is pinned to a Node release (and Debian release), so a rebuild gets the same runtime;
# move it deliberately, within package.json's engines. apps/cli/test/docker-image.e2e-spec.ts
# assembles this image's tree without Docker and runs it.
FROM node:20.19.5-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20.19.5-bookworm-slim
WORKDIR /app
# The container's own network namespace is the boundary; the port is published or not by the runtime.
ENV NODE_ENV=production DATA_DIR=/data HOST=0.0.0.0
COPY --from=build /app /app
# The default sharing agreement, loaded on the first start: the code finds it above itself.
COPY infra/agreements ./infra/agreements
# Where DATA_DIR, the audit signing key (AUDIT_SIGNING_KEY_FILE=/keys/... in docker-compose.yml) and
# the audit witness file are mounted, owned by the user the processes run as and private to it:
# Docker gives a new named volume the owner and mode of the directory it is mounted on. A host
# directory mounted there instead keeps its own, so it must belong to uid 1000 (node).
RUN mkdir -p /data /keys /witness && chown node:node /data /keys /witness && chmod 0700 /data /keys /witness
VOLUME /data
EXPOSE 3000
USER node
# The API's readiness (the image's command). The worker listens on nothing by default: its compose
# service replaces this with `throughline health`, which reads the heartbeat it writes.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/health/ready').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "bin/throughline.js", "serve"]
