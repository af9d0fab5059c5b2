// The bot side both channel benchmarks share: arguments, a fresh database with the demo routing,
// the real dialog service, the child process with the families, and the measured run + report.
import { parseArgs } from "node:util";
import type { Db } from "../src/db/client.ts";
import { createDialogService } from "../src/dialog/dialog-service.ts";
import type { DialogService } from "../src/dialog/service-types.ts";
import { createI18n, type I18n } from "../src/i18n/i18n.ts";
import { createLogger, type Logger } from "../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../src/routing/routing-store.ts";
import { createTempDb } from "../tests/helpers/temp-db.ts";
import { buildReport } from "./bench-stats.ts";
import { heapAfterGc, sampleRss, spawnLoad } from "./load-harness.ts";

export interface BotSide<I> {
  db: Db;
  log: Logger;
  i18n: I18n;
  service: DialogService;
  /** What the families' process told us (API address, token). */
  info: I;
  /** Flags parsed beyond the shared ones. */
  flags: Record<string, string | boolean | undefined>;
  /** Runs the families against `channel` (started here, stopped after), prints the JSON report. */
  measure(channel: { start(): Promise<void>; stop(): Promise<void> }): Promise<void>;
}

export async function prepareBotSide<I>(opts: {
  channel: "telegram" | "max";
  /** The families' script, relative to bench/. */
  familiesScript: string;
  extraFlags?: Record<string, { type: "boolean"; default: boolean }>;
}): Promise<BotSide<I>> {
  const { values } = parseArgs({
    options: {
      families: { type: "string", default: "100" },
      rate: { type: "string", default: "0" }, // updates per second over all families; 0 = as fast as possible
      "log-level": { type: "string", default: "error" },
      "step-timeout": { type: "string", default: "120000" },
      ...opts.extraFlags,
    },
  });
  const temp = await createTempDb();
  const log = createLogger({ level: String(values["log-level"]) });
  await loadDemoRoutingIfEmpty(temp.db, log);
  const i18n = createI18n();
  const service = createDialogService({
    db: temp.db,
    log,
    i18n,
    clock: () => new Date(),
    config: { consentVersion: "bench-1", publicBaseUrl: "http://127.0.0.1", operatorName: "Opora bench" },
  });
  const load = await spawnLoad<I>(opts.familiesScript, [
    "--families",
    String(values.families),
    "--rate",
    String(values.rate),
    "--step-timeout",
    String(values["step-timeout"]),
  ]);
  return {
    db: temp.db,
    log,
    i18n,
    service,
    info: load.info,
    flags: values,
    async measure(channel) {
      await channel.start();
      const heapBefore = heapAfterGc();
      const rss = sampleRss();
      const figures = await load.run();
      await channel.stop();
      const peakRss = rss.stop();
      const heapAfter = heapAfterGc();
      const report = buildReport({
        channel: opts.channel,
        families: Number(values.families),
        rate: Number(values.rate),
        outcomes: figures.outcomes,
        requestsInDb: await temp.db.request.count(),
        updates: figures.updates,
        elapsedS: figures.elapsedS,
        latencies: figures.latencies,
        peakRss,
        loadPeakRss: figures.peakRss,
        heapBefore,
        heapAfter,
      });
      console.log(JSON.stringify(report, null, 2));
      await load.close();
      await temp.cleanup();
    },
  };
}
