// One versus two Opora instances on one PostgreSQL (issue 18), not a test: the same harness as the
// chaos test (tests/cluster/chaos-harness.ts) without kills — the compiled service behind nginx on
// loopback, Telegram in webhook mode through the fake Bot API, N simulated families through the
// whole dialog — once with one instance behind nginx, once with two. Each run gets a fresh database.
//
//   node --import tsx bench/cluster-bench.ts                          # 1 then 2 instances, 100 families
//   node --import tsx bench/cluster-bench.ts --families 200 --instances 2
//   node --import tsx bench/cluster-bench.ts --families 100 --spread 60000 --think 3000   (each family reads for 3 s)
//
// Needs nginx and PostgreSQL: TEST_DATABASE_URL's server (eval "$(bash .ci/postgres-setup.sh)").
// The instances run with the product's real send limits (one bot: 23 counted calls/s shared by all
// instances, 4 then 0.9/s per chat), which bound the throughput; see bench/README.md.
import { loadavg } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ensureBuilt } from "../scripts/build.mjs";
import { percentile, runFamilies, startCluster } from "../tests/cluster/chaos-harness.ts";
import { createTempDb } from "../tests/helpers/temp-db.ts";

const { values } = parseArgs({
  options: {
    families: { type: "string", default: "100" },
    instances: { type: "string" },
    spread: { type: "string", default: "20000" },
    think: { type: "string", default: "0" },
  },
});
if (!/^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? "")) {
  console.error('TEST_DATABASE_URL must name a PostgreSQL server: eval "$(bash .ci/postgres-setup.sh)"');
  process.exit(2);
}
const root = fileURLToPath(new URL("..", import.meta.url));
const families = Number(values.families);
const configs = values.instances ? [Number(values.instances)] : [1, 2];
await ensureBuilt();

for (const instances of configs) {
  const db = await createTempDb();
  const load = loadavg()[0]?.toFixed(1);
  const cluster = await startCluster({ databaseUrl: (db.target as { url: string }).url, instances, root: path.resolve(root) });
  try {
    const started = performance.now();
    const cpuBefore = process.cpuUsage();
    const results = await runFamilies(cluster, families, { spreadMs: Number(values.spread), stepTimeoutMs: 120_000, thinkMs: Number(values.think) });
    const seconds = (performance.now() - started) / 1000;
    const latencies = results.flatMap((r) => r.latencies);
    const counted = cluster.api.calls.filter((c) => ["sendMessage", "editMessageText", "editMessageReplyMarkup"].includes(c.method)).length;
    const harnessCpuS = (process.cpuUsage(cpuBefore).user + process.cpuUsage(cpuBefore).system) / 1e6;
    console.log(
      JSON.stringify({
        instances,
        families,
        thinkMs: Number(values.think),
        finished: results.filter((r) => r.outcome === "done").length,
        updates: latencies.length,
        seconds: Math.round(seconds * 10) / 10,
        updatesPerSecond: Math.round((latencies.length / seconds) * 10) / 10,
        countedSendsPerSecond: Math.round((counted / seconds) * 10) / 10,
        p50ms: Math.round(percentile(latencies, 50)),
        p99ms: Math.round(percentile(latencies, 99)),
        loadAvgAtStart: Number(load),
        harnessCpuS: Math.round(harnessCpuS),
      }),
    );
  } finally {
    await cluster.stop();
    await db.cleanup();
  }
}
