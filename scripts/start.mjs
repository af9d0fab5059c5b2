// `npm start` and the CLI scripts: run the compiled JavaScript in dist/ with plain node, building it
// first when it is missing or older than the sources (a fresh clone's `npm ci && npm start`).
// The entry runs in this very process, so signals (SIGTERM from npm, Docker, systemd) reach the
// service itself and nothing is left orphaned.
//
//   node scripts/start.mjs [ENTRY [ARGS…]]   ENTRY is relative to dist/, default main.js
import path from "node:path";
import { pathToFileURL } from "node:url";
import { DIST, ensureBuilt } from "./build.mjs";

const [entry = "main.js", ...args] = process.argv.slice(2);
try {
  await ensureBuilt();
} catch (err) {
  console.error(`Opora cannot start: ${err.message}`);
  process.exit(1);
}
const file = path.join(DIST, entry);
// The entry sees itself as the main module (`process.argv[1]`), as when started as `node dist/ENTRY`.
process.argv = [process.argv[0], file, ...args];
await import(pathToFileURL(file).href);
