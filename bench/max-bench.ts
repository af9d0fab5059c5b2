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
import { createMaxChannel } from "../src/channels/max/max-channel.ts";
import { prepareBotSide } from "./bot-side.ts";

const bot = await prepareBotSide<{ baseUrl: string; token: string }>({ channel: "max", familiesScript: "./max-families.ts" });
await bot.measure(
  createMaxChannel({
    token: bot.info.token,
    baseUrl: bot.info.baseUrl,
    service: bot.service,
    db: bot.db,
    log: bot.log,
    i18n: bot.i18n,
    mode: { type: "polling" },
    outbound: { ratePerSecond: 1_000_000, maxConcurrent: 256 },
  }),
);
