#!/bin/sh
# Turns a full install (npm ci) into production dependencies only; the Docker build stage runs it
# after `npm run build`, and tests/ops/runtime-stage.test.ts runs it on a copy to check the result.
set -eu
cd "$(dirname "$0")/.."
npm prune --omit=dev --no-audit --no-fund
# @prisma/client names prisma and typescript as optional peers, which keeps them through the prune.
# The service needs neither, nor tsx: migrations run in-process and dist/ is already compiled.
npm uninstall --no-save --omit=dev --no-audit --no-fund prisma typescript tsx
# Native build leftovers: only the compiled addon is loaded.
b=node_modules/better-sqlite3
rm -rf "$b/deps" "$b/src" "$b/build/Release/obj" "$b/build/Release/obj.target" "$b/build/Release/.deps" \
  "$b/build/Release/sqlite3.a" "$b/build/Release/test_extension.node" "$b/build/deps"
# Prisma's runtime ships engines for every database: keep the client engine's SQLite and PostgreSQL
# query compilers only (the service runs `engineType = "client"` with a driver adapter).
r=node_modules/@prisma/client/runtime
rm -f "$r"/*.map "$r"/query_engine_bg.* "$r"/query_compiler_bg.mysql.* "$r"/query_compiler_bg.sqlserver.* \
  "$r"/query_compiler_bg.cockroachdb.*
find node_modules -mindepth 1 -maxdepth 1 -type d -empty -delete   # scopes npm emptied
du -sh node_modules | sed 's/\t.*/ production node_modules/'
