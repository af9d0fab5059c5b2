// Telegram channel benchmark (not a test): N simulated families run full triage dialogs
// concurrently through the fake Bot API over HTTP on 127.0.0.1, with the real dialog service and
// a fresh SQLite database. Everything runs in this one process (fake API and families included),
// so the figures are conservative for the bot itself.
//
//   node --import tsx bench/telegram-bench.ts --families 100
//   node --import tsx bench/telegram-bench.ts --families 5000
//   node --import tsx bench/telegram-bench.ts --families 1000 --rate 200   (paced: latency at a fixed load)
//
// Outbound throttling is off here: the fake API has no rate limits, and Telegram's real global
// limit (≈30 msg/s) would make this a benchmark of the throttler, not of the bot.
import { parseArgs } from "node:util";
import { createTelegramChannel } from "../src/channels/telegram/telegram-channel.ts";
import { createDialogService } from "../src/dialog/dialog-service.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { createLogger } from "../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../src/routing/routing-store.ts";
import { startFakeTelegramApi } from "../tests/fakes/fake-telegram-api.ts";
import { createTempDb } from "../tests/helpers/temp-db.ts";
import { createInbox, DEFAULT_SCRIPT, type FamilyResult, runFamily } from "../tests/telegram/family-driver.ts";
import { buildReport, createPacer } from "./bench-stats.ts";

const { values } = parseArgs({
  options: {
    families: { type: "string", default: "100" },
    rate: { type: "string", default: "0" }, // updates per second over all families; 0 = as fast as possible
    "log-level": { type: "string", default: "error" },
  },
});
const families = Number(values.families);
const rate = Number(values.rate);



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
  const api = await startFakeTelegramApi({ record: false });
  const channel = createTelegramChannel({
    token: api.token,
    apiRoot: api.apiRoot,
    service,
    db: temp.db,
    log,
    i18n,
    mode: { type: "polling", timeoutSeconds: 5 },
    throttle: false,
  });
  await channel.start();
  const inbox = createInbox(api);
  const pace = createPacer(rate);

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  let updates = 0;
  const started = performance.now();
  const results: FamilyResult[] = await Promise.all(
    Array.from({ length: families }, (_, i) =>
      runFamily({
        api,
        inbox,
        user: { id: 1_000_000 + i, language_code: "ru" },
        script: { ...DEFAULT_SCRIPT, phone: `+7999${String(1_000_000 + i).padStart(7, "0")}` },
        pace,
        deliver: (update) => {
          updates += 1;
          api.push(update);
        },
        stepTimeoutMs: 120_000,
      }),
    ),
  );
  const elapsedS = (performance.now() - started) / 1000;
  await channel.stop();
  clearInterval(sampler);

  const report = buildReport({
    channel: "telegram",
    families,
    rate,
    outcomes: results.map((r) => r.outcome),
    requestsInDb: await temp.db.request.count(),
    updates,
    elapsedS,
    latencies: results.flatMap((r) => r.latencies),
    peakRss,
  });
  console.log(JSON.stringify(report, null, 2));
  await api.close();
  await temp.cleanup();
  const stuck = results.find((r) => r.outcome !== "done");
  if (stuck) console.error("first unfinished family:", stuck.outcome, stuck.lastIds, stuck.trail.slice(-5));
}

await main();
