// Telegram channel benchmark (not a test): N simulated families run full triage dialogs
// concurrently through the fake Bot API over HTTP on 127.0.0.1, with the real channel, dialog
// service and a fresh SQLite database. The bot runs in this process; the fake API and the
// families run in a child process (bench/telegram-families.ts), as Telegram's servers would.
//
//   node --expose-gc --import tsx bench/telegram-bench.ts --families 100
//   node --expose-gc --import tsx bench/telegram-bench.ts --families 5000
//   node --expose-gc --import tsx bench/telegram-bench.ts --families 1000 --rate 200   (paced: latency at a fixed load)
//   … --bot peer      the conventional grammY + conversations build of the same triage (bench/peer/),
//                     its sessions in the published @grammyjs/storage-prisma adapter
//   … --bot peer-raw  the same peer with its sessions through typed raw SQL (hand-tuned)
//   … --db postgres   on PostgreSQL (TEST_DATABASE_URL's server, or a throwaway one started here)
//   … --warmup 3      seconds at the start left out of the steady-state latencies (also reported: all)
// (--expose-gc lets the report give the heap left after a full GC, before and after the run.)
//
// Outbound throttling is off unless --throttle is given: the fake API has no rate limits, and
// Telegram's real global limit (≈30 msg/s) would make this a benchmark of the throttler.
import { createTelegramChannel, TELEGRAM_THROTTLE } from "../src/channels/telegram/telegram-channel.ts";
import { FAKE_BOT } from "../tests/fakes/fake-telegram-api.ts";
import { prepareBotSide } from "./bot-side.ts";
import { createPeerBot } from "./peer/peer-bot.ts";

const bot = await prepareBotSide<{ apiRoot: string; token: string }>({
  channel: "telegram",
  familiesScript: "./telegram-families.ts",
  extraFlags: { throttle: { type: "boolean", default: false }, bot: { type: "string", default: "opora" } },
  bot: (flags) => String(flags.bot),
});
const botInfo = {
  ...FAKE_BOT,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
} as never;
if (bot.flags.bot !== "opora" && bot.flags.bot !== "peer" && bot.flags.bot !== "peer-raw")
  throw new Error(`--bot must be opora, peer or peer-raw, not ${bot.flags.bot}`);
await bot.measure(
  bot.flags.bot !== "opora"
    ? await createPeerBot({
        token: bot.info.token,
        apiRoot: bot.info.apiRoot,
        target: bot.target,
        botInfo,
        sessions: bot.flags.bot === "peer-raw" ? "raw-sql" : "adapter",
      })
    : createTelegramChannel({
        token: bot.info.token,
        apiRoot: bot.info.apiRoot,
        service: bot.service,
        db: bot.db,
        log: bot.log,
        i18n: bot.i18n,
        mode: { type: "polling", timeoutSeconds: 5 },
        throttle: bot.flags.throttle ? TELEGRAM_THROTTLE : false,
        botInfo,
      }),
);
