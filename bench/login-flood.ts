// Login flood (not a test): N login attempts from one address against the real HTTP server (the
// service's createHttpServer + web view, a fresh migrated SQLite file), with a few real users
// logging in from other addresses meanwhile, and /healthz probed throughout.
//   node --import tsx bench/login-flood.ts [--attempts 10000] [--concurrency 50]
// Prints a JSON report: status counts, attempts/s, /healthz latency, session rows stored.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Agent, request } from "undici";
import { createAdminPlugin } from "../src/admin/admin-plugin.ts";
import { createStaffUser } from "../src/auth/users.ts";
import { openDb } from "../src/db/client.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { seedRegions } from "../src/db/seed-regions.ts";
import { createHttpServer } from "../src/http/server.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { createLogger } from "../src/logging/logger.ts";

const { values } = parseArgs({ options: { attempts: { type: "string", default: "10000" }, concurrency: { type: "string", default: "50" } } });
const ATTEMPTS = Number(values.attempts);
const CONCURRENCY = Number(values.concurrency);
const PASSWORD = "the-real-password-123";

const dir = mkdtempSync(path.join(tmpdir(), "opora-flood-"));
const file = path.join(dir, "opora.db");
if (migrateDatabase(file).type !== "ok") throw new Error("migration failed");
const db = await openDb({ file });
await seedRegions(db);
for (const email of ["victim@example.org", "other@example.org"]) {
  await createStaffUser(db, { email, password: PASSWORD, name: email, role: "superadmin" });
}
const log = createLogger({ level: "silent" });
// The flooding peer connects from 127.0.0.1; "other users" come through a trusted proxy connecting
// from 127.0.0.2 with their own X-Forwarded-For, so one machine can speak as several addresses.
const app = createHttpServer({ db, log, trustProxy: ["127.0.0.2"], publicBaseUrl: "http://127.0.0.1" });
await app.register(
  createAdminPlugin({ db, log, i18n: createI18n(), clock: () => new Date(), config: { publicBaseUrl: "http://127.0.0.1", sessionSecret: "b".repeat(48), cookieSecure: false } }),
);
await app.listen({ host: "127.0.0.1", port: 0 });
const port = (app.server.address() as { port: number }).port;

const agents = {
  "127.0.0.1": new Agent({ localAddress: "127.0.0.1" }),
  "127.0.0.2": new Agent({ localAddress: "127.0.0.2" }),
};

async function loginAs(email: string, password: string, from: "127.0.0.1" | "127.0.0.2", forwardedFor?: string): Promise<number> {
  const base = `http://127.0.0.1:${port}`;
  const dispatcher = agents[from];
  const headers: Record<string, string> = forwardedFor ? { "x-forwarded-for": forwardedFor } : {};
  const page = await request(`${base}/login`, { headers, dispatcher });
  const body = await page.body.text();
  const cookie = (page.headers["set-cookie"] as string[] | string | undefined) ?? [];
  const jar = (Array.isArray(cookie) ? cookie : [cookie]).map((c) => c.split(";")[0]).join("; ");
  const token = /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? "";
  const res = await request(`${base}/login`, {
    method: "POST",
    dispatcher,
    headers: { ...headers, cookie: jar, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ email, password, _csrf: token }).toString(),
  });
  await res.body.dump();
  return res.statusCode;
}

const statuses: Record<number, number> = {};
const health: number[] = [];
let done = 0;
let probing = true;
const probe = (async () => {
  while (probing) {
    const t0 = performance.now();
    const r = await request(`http://127.0.0.1:${port}/healthz`);
    await r.body.dump();
    health.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 100));
  }
})();

const started = performance.now();
await Promise.all(
  Array.from({ length: CONCURRENCY }, async (_, w) => {
    while (done < ATTEMPTS) {
      const i = done++;
      // The flood: rotating accounts and a forged X-Forwarded-For, from one peer address.
      const email = i % 2 === 0 ? "victim@example.org" : `guess${i % 500}@example.org`;
      const code = await loginAs(email, `wrong-${i}-${w}`, "127.0.0.1", `198.51.100.${i % 250}`);
      statuses[code] = (statuses[code] ?? 0) + 1;
    }
  }),
);
const seconds = (performance.now() - started) / 1000;
// Real users from other addresses while (and right after) the flood.
const victimElsewhere = await loginAs("victim@example.org", PASSWORD, "127.0.0.2", "203.0.113.5");
const otherElsewhere = await loginAs("other@example.org", PASSWORD, "127.0.0.2", "203.0.113.6");
probing = false;
await probe;
health.sort((a, b) => a - b);
const pct = (p: number) => Number((health[Math.min(health.length - 1, Math.floor(p * health.length))] ?? 0).toFixed(1));
console.log(
  JSON.stringify(
    {
      attempts: ATTEMPTS,
      concurrency: CONCURRENCY,
      seconds: Number(seconds.toFixed(1)),
      attemptsPerSecond: Math.round(ATTEMPTS / seconds),
      statuses,
      healthzMs: { p50: pct(0.5), p99: pct(0.99), max: pct(1) },
      sessionRows: await db.staffSession.count(),
      realUsersFromOtherAddresses: { victim: victimElsewhere, other: otherElsewhere },
    },
    null,
    2,
  ),
);
await Promise.all(Object.values(agents).map((a) => a.close()));
await app.close();
await db.$disconnect();
rmSync(dir, { recursive: true, force: true });
