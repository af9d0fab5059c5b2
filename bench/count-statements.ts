// Counts the SQL statements one family's triage costs (SQLite, counted where better-sqlite3
// prepares them), for Opora or the peer build (bench/peer/): one warm-up family, then one counted.
//   node --import tsx bench/count-statements.ts [opora|peer|peer-raw]
import Database from "better-sqlite3";

const counts = new Map<string, number>();
let counting = false;
const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (this: Database.Database, sql: string) {
  if (counting) {
    const key = sql.replace(/\s+/g, " ").slice(0, 100);
    counts.set(key, (counts.get(key) ?? 0) + 1);
    if (process.env.TRACE) console.log("SQL", key.slice(0, 60));
  }
  return prepare.call(this, sql);
} as typeof prepare;

// Imported after the patch, so every statement the bot prepares is seen.
const { createTelegramChannel } = await import("../src/channels/telegram/telegram-channel.ts");
const { createDialogService } = await import("../src/dialog/dialog-service.ts");
const { createI18n } = await import("../src/i18n/i18n.ts");
const { createLogger } = await import("../src/logging/logger.ts");
const { loadDemoRoutingIfEmpty } = await import("../src/routing/routing-store.ts");
const { FAKE_BOT, startFakeTelegramApi } = await import("../tests/fakes/fake-telegram-api.ts");
const { createTempDb } = await import("../tests/helpers/temp-db.ts");
const { createInbox, DEFAULT_SCRIPT, runFamily } = await import("../tests/telegram/family-driver.ts");
const { createPeerBot } = await import("./peer/peer-bot.ts");

delete process.env.TEST_DATABASE_URL;
const temp = await createTempDb();
const log = createLogger({ level: "error" });
await loadDemoRoutingIfEmpty(temp.db, log);
const i18n = createI18n();
const api = await startFakeTelegramApi({ record: false });
const botInfo = { ...FAKE_BOT } as never;
const bot =
  process.argv[2] === "peer" || process.argv[2] === "peer-raw"
    ? await createPeerBot({
        token: api.token,
        apiRoot: api.apiRoot,
        target: temp.target,
        botInfo,
        sessions: process.argv[2] === "peer-raw" ? "raw-sql" : "adapter",
      })
    : createTelegramChannel({
        token: api.token,
        apiRoot: api.apiRoot,
        service: createDialogService({
          db: temp.db,
          log,
          i18n,
          clock: () => new Date(),
          config: {
            consentVersion: "bench-1",
            publicBaseUrl: "http://127.0.0.1",
            operatorName: "Opora bench",
          },
        }),
        db: temp.db,
        log,
        i18n,
        mode: { type: "polling", timeoutSeconds: 5 },
        throttle: false,
        botInfo,
      });
await bot.start();
const inbox = createInbox(api);
const family = (id: number) =>
  runFamily({
    api,
    inbox,
    user: { id, language_code: "ru" },
    script: DEFAULT_SCRIPT,
    deliver: (u) => void api.push(u),
  });
await family(999);
counting = true;
const result = await family(1_000_001);
counting = false;
const total = [...counts.values()].reduce((a, b) => a + b, 0);
console.log(`${process.argv[2] ?? "opora"}: family ${result.outcome}, ${total} statements`);
for (const [sql, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(String(n).padStart(4), sql);
await bot.stop();
await api.close();
await temp.cleanup();
process.exit(0);
