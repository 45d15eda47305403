# One image for the api and the worker; the command picks the process.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json tsconfig.base.json tsconfig.build.json ./
COPY apps ./apps
COPY libs ./libs
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-bookworm-slim
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
CMD ["node", "bin/throughline.js", "serve"]
