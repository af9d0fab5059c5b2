// MAX channel benchmark (not a test), the twin of bench/telegram-bench.ts: N simulated families
// run full triage dialogs concurrently through the fake MAX API over HTTP on 127.0.0.1 (long
// polling with marker), with the real channel, dialog service and a fresh SQLite database. The
// bot runs in this process; the fake API and the families run in a child process
// (bench/max-families.ts), as MAX's servers would.
//
//   node --expose-gc --import tsx bench/max-bench.ts --families 100
//   node --expose-gc --import tsx bench/max-bench.ts --families 5000
//   node --expose-gc --import tsx bench/max-bench.ts --families 1000 --rate 200   (paced: latency at a fixed load)
// (--expose-gc lets the report give the heap left after a full GC, before and after the run.)
//
// The outbound limit (≈30 requests/s in production) is lifted here: the fake API has no limits,
// and the real one would make this a benchmark of the rate limiter, not of the bot.
import { parseArgs } from "node:util";
import { createMaxChannel } from "../src/channels/max/max-channel.ts";
import { createDialogService } from "../src/dialog/dialog-service.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { createLogger } from "../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../src/routing/routing-store.ts";
import { createTempDb } from "../tests/helpers/temp-db.ts";
import { buildReport } from "./bench-stats.ts";
import { heapAfterGc, sampleRss, spawnLoad } from "./load-harness.ts";

const { values } = parseArgs({
  options: {
    families: { type: "string", default: "100" },
    rate: { type: "string", default: "0" }, // updates per second over all families; 0 = as fast as possible
    "log-level": { type: "string", default: "error" },
    "step-timeout": { type: "string", default: "120000" },
  },
});

async function main() {
  const temp = await createTempDb();
  const log = createLogger({ level: values["log-level"] ?? "error" });
  await loadDemoRoutingIfEmpty(temp.db, log);
  const i18n = createI18n();
  const service = createDialogService({
    db: temp.db,
    log,
    i18n,
    clock: () => new Date(),
    config: { consentVersion: "bench-1", publicBaseUrl: "http://127.0.0.1", operatorName: "Opora bench" },
  });
  const load = await spawnLoad<{ baseUrl: string; token: string }>("./max-families.ts", [
    "--families",
    values.families!,
    "--rate",
    values.rate!,
    "--step-timeout",
    values["step-timeout"]!,
  ]);
  const channel = createMaxChannel({
    token: load.info.token,
    baseUrl: load.info.baseUrl,
    service,
    db: temp.db,
    log,
    i18n,
    mode: { type: "polling" },
    outbound: { ratePerSecond: 1_000_000, maxConcurrent: 256 },
  });
  await channel.start();
  const heapBefore = heapAfterGc();
  const rss = sampleRss();
  const figures = await load.run();
  await channel.stop();
  const botPeakRss = rss.stop();
  const heapAfter = heapAfterGc();

  const report = buildReport({
    channel: "max",
    families: Number(values.families),
    rate: Number(values.rate),
    outcomes: figures.outcomes,
    requestsInDb: await temp.db.request.count(),
    updates: figures.updates,
    elapsedS: figures.elapsedS,
    latencies: figures.latencies,
    peakRss: botPeakRss,
    loadPeakRss: figures.peakRss,
    heapBefore,
    heapAfter,
  });
  console.log(JSON.stringify(report, null, 2));
  await load.close();
  await temp.cleanup();
}

await main();
