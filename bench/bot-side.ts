// The bot side both channel benchmarks share: arguments, a fresh database with the demo routing
// (SQLite, or PostgreSQL with --db postgres), the real dialog service, the child process with the
// families, and the measured run + report.
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { Db, DbTarget } from "../src/db/client.ts";
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
  /** The database engine of this run. */
  engine: "sqlite" | "postgresql";
  /** Where this run's database is, for a bot that opens its own client (the peer build). */
  target: DbTarget;
  /** Flags parsed beyond the shared ones. */
  flags: Record<string, string | boolean | undefined>;
  /** Runs the families against `channel` (started here, stopped after), prints the JSON report. */
  measure(channel: { start(): Promise<void>; stop(): Promise<void> }): Promise<void>;
}

export async function prepareBotSide<I>(opts: {
  channel: "telegram" | "max";
  /** The families' script, relative to bench/. */
  familiesScript: string;
  extraFlags?: Record<string, { type: "boolean"; default: boolean } | { type: "string"; default: string }>;
  /** Which bot is measured (reported as is): "opora" unless the caller says otherwise. */
  bot?: (flags: Record<string, string | boolean | undefined>) => string;
}): Promise<BotSide<I>> {
  const { values } = parseArgs({
    options: {
      families: { type: "string", default: "100" },
      rate: { type: "string", default: "0" }, // updates per second over all families; 0 = as fast as possible
      "log-level": { type: "string", default: "error" },
      "step-timeout": { type: "string", default: "120000" },
      // Seconds at the start of the run left out of the steady-state latencies (bench-stats.ts).
      warmup: { type: "string", default: "3" },
      // Milliseconds a family takes to answer each question (reading, tapping); 0 = at once.
      think: { type: "string", default: "0" },
      // sqlite: a fresh temp file. postgres: a fresh database on TEST_DATABASE_URL's server, or on
      // a throwaway cluster started here (.ci/postgres-setup.sh) and stopped at the end.
      db: { type: "string", default: "sqlite" },
      ...opts.extraFlags,
    },
  });
  if (values.db !== "postgres" && values.db !== "sqlite")
    throw new Error(`--db must be sqlite or postgres, not ${values.db}`);
  if (!(Number(values.warmup) >= 0)) throw new Error(`--warmup must be a number of seconds, not ${values.warmup}`);
  if (values.db === "postgres") ensurePostgres();
  if (values.db === "sqlite") delete process.env.TEST_DATABASE_URL;
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
    "--think",
    String(values.think),
    // --throttle: the fake API enforces the messenger's real limits too (429 with retry_after).
    ...((values as Record<string, unknown>).throttle === true ? ["--throttle"] : []),
  ]);
  return {
    db: temp.db,
    log,
    i18n,
    service,
    info: load.info,
    engine: temp.target.engine,
    target: temp.target,
    flags: values,
    async measure(channel) {
      await channel.start();
      const heapBefore = heapAfterGc();
      const rss = sampleRss();
      const cpuBefore = process.cpuUsage();
      const figures = await load.run();
      const cpu = process.cpuUsage(cpuBefore);
      await channel.stop();
      const peakRss = rss.stop();
      // The HTTP pool's idle keep-alive sockets (one per concurrent call at the run's peak) close
      // after 4 s (src/channels/http-transport.ts): they are not what finished families leave behind.
      await new Promise((r) => setTimeout(r, 5000));
      const heapAfter = heapAfterGc();
      const report = buildReport({
        channel: opts.channel,
        bot: opts.bot?.(values) ?? "opora",
        db: temp.target.engine,
        families: Number(values.families),
        rate: Number(values.rate),
        outcomes: figures.outcomes,
        requestsInDb: await temp.db.request.count(),
        updates: figures.updates,
        elapsedS: figures.elapsedS,
        latencies: figures.latencies,
        sentAtS: figures.sentAtS,
        warmupS: Number(values.warmup),
        peakRss,
        loadPeakRss: figures.peakRss,
        heapBefore,
        heapAfter,
        cpuMs: (cpu.user + cpu.system) / 1000,
      });
      console.log(JSON.stringify(report, null, 2));
      await load.close();
      await temp.cleanup();
      process.exit(0); // the PostgreSQL admin pool of tests/helpers/temp-db.ts would keep the process alive
    },
  };
}

/** Uses TEST_DATABASE_URL when it names a PostgreSQL server, else starts a throwaway one, stopped when this process exits. */
function ensurePostgres(): void {
  if (/^postgres(ql)?:\/\//.test(process.env.TEST_DATABASE_URL ?? "")) return;
  const script = fileURLToPath(new URL("../.ci/postgres-setup.sh", import.meta.url));
  const out = execFileSync("bash", [script], { encoding: "utf8" });
  const vars = Object.fromEntries([...out.matchAll(/^export (\w+)='(.*)'$/gm)].map((m) => [m[1]!, m[2]!]));
  if (!vars.TEST_DATABASE_URL || !vars.PG_STOP)
    throw new Error("postgres-setup.sh printed no TEST_DATABASE_URL");
  process.env.TEST_DATABASE_URL = vars.TEST_DATABASE_URL;
  const stop = vars.PG_STOP;
  process.once("exit", () => execFileSync("bash", ["-c", stop], { stdio: "inherit" }));
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));
}
