// Telegram channel benchmark (not a test): N simulated families run full triage dialogs
// concurrently through the fake Bot API over HTTP on 127.0.0.1, with the real channel, dialog
// service and a fresh SQLite database. The bot runs in this process; the fake API and the
// families run in a child process (bench/telegram-families.ts), as Telegram's servers would.
//
//   node --expose-gc --import tsx bench/telegram-bench.ts --families 100
//   node --expose-gc --import tsx bench/telegram-bench.ts --families 5000
//   node --expose-gc --import tsx bench/telegram-bench.ts --families 1000 --rate 200   (paced: latency at a fixed load)
// (--expose-gc lets the report give the heap left after a full GC, before and after the run.)
//
// Outbound throttling is off unless --throttle is given: the fake API has no rate limits, and
// Telegram's real global limit (≈30 msg/s) would make this a benchmark of the throttler.
import { parseArgs } from "node:util";
import { createTelegramChannel, TELEGRAM_THROTTLE } from "../src/channels/telegram/telegram-channel.ts";
import { createDialogService } from "../src/dialog/dialog-service.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { createLogger } from "../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../src/routing/routing-store.ts";
import { FAKE_BOT } from "../tests/fakes/fake-telegram-api.ts";
import { createTempDb } from "../tests/helpers/temp-db.ts";
import { buildReport } from "./bench-stats.ts";
import { heapAfterGc, sampleRss, spawnLoad } from "./load-harness.ts";

const { values } = parseArgs({
  options: {
    families: { type: "string", default: "100" },
    rate: { type: "string", default: "0" }, // updates per second over all families; 0 = as fast as possible
    "log-level": { type: "string", default: "error" },
    "step-timeout": { type: "string", default: "120000" },
    throttle: { type: "boolean", default: false },
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
  const load = await spawnLoad<{ apiRoot: string; token: string }>("./telegram-families.ts", [
    "--families",
    values.families!,
    "--rate",
    values.rate!,
    "--step-timeout",
    values["step-timeout"]!,
  ]);
  const channel = createTelegramChannel({
    token: load.info.token,
    apiRoot: load.info.apiRoot,
    service,
    db: temp.db,
    log,
    i18n,
    mode: { type: "polling", timeoutSeconds: 5 },
    throttle: values.throttle ? TELEGRAM_THROTTLE : false,
    botInfo: { ...FAKE_BOT, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false, can_connect_to_business: false, has_main_web_app: false } as never,
  });
  await channel.start();
  const heapBefore = heapAfterGc();
  const rss = sampleRss();
  const figures = await load.run();
  await channel.stop();
  const botPeakRss = rss.stop();
  const heapAfter = heapAfterGc();

  const report = buildReport({
    channel: "telegram",
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
