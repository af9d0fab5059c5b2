# syntax=docker/dockerfile:1
# Opora on Node 24 LTS. Build: `docker build -t opora .`; run: see compose.yaml and README "Docker".
# tests/ops/runtime-stage.test.ts rebuilds the runtime stage's files from the COPY lines below and
# starts the service from them as an unprivileged user: keep every COPY of that stage on one line.
ARG NODE_IMAGE=node:24-bookworm-slim

# Build stage: all dependencies (better-sqlite3 compiles from source), the Prisma client, dist/,
# then the dev dependencies (TypeScript, tsx, Prisma CLI, vitest…) are pruned away.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json prisma.config.ts ./
COPY prisma ./prisma
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY src ./src
RUN npm run build && sh scripts/production-deps.sh

# Runtime stage: compiled JavaScript, production dependencies, migrations and texts; plain `node`,
# unprivileged user, the database on the /data volume.
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000 DATABASE_FILE=/data/opora.db DEMO=false
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY prisma/migrations ./prisma/migrations
COPY prisma/regions.csv ./prisma/regions.csv
COPY locales ./locales
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "dist/main.js"]
