// Statistics at scale: fills a fresh SQLite file with N requests in one region (default 1,000,000,
// spread evenly over the last two years in time order, batched inserts straight through better-sqlite3 in Prisma's date
// format), then times GET /admin/63/stats and /admin/63/stats.csv through fastify.inject for each
// period. Not a test: run by hand and copy the figures into bench/README.md.
//
//   node --import tsx bench/stats-bench.ts                      (1,000,000 requests, 5 runs each)
//   node --import tsx bench/stats-bench.ts --requests 100000 --runs 3 --keep /tmp/stats.db
//   node --import tsx bench/stats-bench.ts --reuse /tmp/stats.db --weeks 4,12   (time a kept file again)
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { CATEGORIES } from "../src/domain/taxonomy.ts";
import { migrateDatabase } from "../src/db/migrate.ts";
import { openDb } from "../src/db/client.ts";
import { seedRegions } from "../src/db/seed-regions.ts";
import { createStaffUser } from "../src/auth/users.ts";
import { Browser, buildAdminTestApp, NOW, seedWorld } from "../tests/web/helpers.ts";
import { percentile } from "./bench-stats.ts";

const { values: args } = parseArgs({
  options: {
    requests: { type: "string", default: "1000000" },
    days: { type: "string", default: "730" },
    runs: { type: "string", default: "5" },
    keep: { type: "string" },
    reuse: { type: "string" },
    weeks: { type: "string", default: "4,12,26,52" },
  },
});
const N = Number(args.requests);
const DAYS = Number(args.days);
const RUNS = Number(args.runs);

const dir = mkdtempSync(path.join(tmpdir(), "opora-stats-bench-"));
const file = args.reuse ?? args.keep ?? path.join(dir, "stats.db");
const migrated = migrateDatabase(file);
if (migrated.type !== "ok") throw new Error(migrated.message);
const db = await openDb({ file });
await seedRegions(db);
const end = NOW.getTime();
let fillSeconds = 0;
const prismaDate = (ms: number) => new Date(ms).toISOString().replace("Z", "+00:00");
if (args.reuse) await timeAndReport();
const world = await seedWorld(db);
const queues = (await db.queue.findMany({ where: { center: { regionCode: "63" } }, select: { id: true } })).map((q) => q.id);
const operators = [world.ids.opSamara];
for (let i = 0; i < 19; i++) {
  const r = await createStaffUser(db, { email: `bench-op${i}@test.local`, password: "correct-horse-battery", name: `Оператор ${i}`, role: "operator", centerKeys: ["samara-deti-v-seme"] });
  if (r.type === "created") operators.push(r.userId);
}

// ── fill: prepared INSERT in transactions of 20,000 rows; deterministic pseudo-random data ──
let seed = 42;
const rand = () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
  return seed / 2_147_483_648;
};
const URG = ["P0", "P1", "P2", "P2", "P2", "P3", "P3", "P1", "P2", "P3"];
const PROMISE_MIN = { P0: 60, P1: 1440, P2: 4320, P3: 10080 } as Record<string, number>;
const STATUS = ["resolved", "closed", "closed", "resolved", "contacted", "new", "in_progress", "unreachable"];
const sqlite = new Database(file);
sqlite.pragma("journal_mode = WAL");
sqlite.pragma("synchronous = OFF");
const insert = sqlite.prepare(
  `INSERT INTO "Request" ("number","channel","isTest","categories","urgency","flags","answers","regionCode","status","queueId","assigneeId","routingReason","routingExplanation","dueAt","createdAt","updatedAt","firstContactAt")
   VALUES (?, 'telegram', 0, ?, ?, '[]', '{}', '63', ?, ?, ?, 'region_default', 'bench', ?, ?, ?, ?)`,
);
const span = DAYS * 86_400_000;
const started = performance.now();
const BATCH = 20_000;
const fill = sqlite.transaction((from: number, to: number) => {
  for (let i = from; i < to; i++) {
    // In time order, as a live system writes them (ids follow creation).
    const created = end - span + Math.floor(((i + rand()) * span) / N);
    const urgency = URG[Math.floor(rand() * URG.length)]!;
    const c1 = CATEGORIES[Math.floor(rand() * CATEGORIES.length)]!;
    const cats = rand() < 0.3 ? [c1, CATEGORIES[Math.floor(rand() * CATEGORIES.length)]!] : [c1];
    const status = STATUS[Math.floor(rand() * STATUS.length)]!;
    const promise = PROMISE_MIN[urgency]! * 60_000;
    const contacted = status !== "new" && status !== "unreachable" ? created + Math.floor(rand() * promise * 1.3) : null;
    const assignee = status === "new" ? null : operators[Math.floor(rand() * operators.length)]!;
    insert.run(
      `63-B${String(i).padStart(7, "0")}`,
      JSON.stringify([...new Set(cats)]),
      urgency,
      status,
      queues[Math.floor(rand() * queues.length)]!,
      assignee,
      prismaDate(created + promise),
      prismaDate(created),
      prismaDate(created),
      contacted === null ? null : prismaDate(contacted),
    );
  }
});
for (let i = 0; i < N; i += BATCH) fill(i, Math.min(N, i + BATCH));
sqlite.pragma("optimize");
sqlite.exec("ANALYZE");
sqlite.close();
fillSeconds = (performance.now() - started) / 1000;
await timeAndReport();

// ── time the page and the CSV through the admin plugin, as a regional admin ──
async function timeAndReport(): Promise<never> {
  const app = await buildAdminTestApp({ db, clock: () => NOW });
  const b = new Browser(app);
  await b.login("admin63@test.local");
  const time = async (url: string) => {
    // The first view also brings the per-day summary up to date (on a fresh file: counts the whole period).
    const t0 = performance.now();
    const res = await b.get(url); // warm-up (and a check)
    const firstMs = Number((performance.now() - t0).toFixed(0));
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode}`);
    const ms: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await b.get(url);
      ms.push(performance.now() - t0);
    }
    ms.sort((a, c) => a - c);
    return { first: firstMs, min: Number((ms[0] ?? 0).toFixed(0)), median: Number(percentile(ms, 50).toFixed(0)), max: Number((ms.at(-1) ?? 0).toFixed(0)), bytes: res.body.length };
  };
  const inPeriod = async (weeks: number) =>
    Number(((await db.$queryRawUnsafe<{ n: bigint }[]>(`SELECT COUNT(*) AS n FROM "Request" WHERE "regionCode" = '63' AND "createdAt" >= ?`, prismaDate(end - weeks * 7 * 86_400_000)))[0]?.n ?? 0));
  const report: Record<string, unknown> = { requests: args.reuse ? "reused file" : N, days: DAYS, fillSeconds: Number(fillSeconds.toFixed(1)), runs: RUNS, loadAvgBefore: loadavg().map((x) => Number(x.toFixed(1))) };
  for (const weeks of args.weeks.split(",").map(Number)) {
    report[`${weeks}w`] = {
      requestsInPeriod: await inPeriod(weeks),
      pageMs: await time(`/admin/63/stats?weeks=${weeks}`),
      csvMs: await time(`/admin/63/stats.csv?weeks=${weeks}`),
    };
  }
  report.loadAvgAfter = loadavg().map((x) => Number(x.toFixed(1)));
  console.log(JSON.stringify(report, null, 2));
  await app.close();
  await db.$disconnect();
  if (!args.keep && !args.reuse) rmSync(dir, { recursive: true, force: true });
  process.exit(0);
  throw new Error("unreachable");
}
