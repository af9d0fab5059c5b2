// MAX channel benchmark (not a test), the twin of bench/telegram-bench.ts: N simulated families
// run full triage dialogs concurrently through the fake MAX API over HTTP on 127.0.0.1 (long
// polling with marker), with the real dialog service and a fresh SQLite database. Everything runs
// in this one process (fake API and families included), so the figures are conservative.
//
//   node --import tsx bench/max-bench.ts --families 100
//   node --import tsx bench/max-bench.ts --families 5000
//   node --import tsx bench/max-bench.ts --families 1000 --rate 200   (paced: latency at a fixed load)
//
// The outbound limit (≈30 requests/s in production) is lifted here: the fake API has no limits,
// and the real one would make this a benchmark of the rate limiter, not of the bot.
import { parseArgs } from "node:util";
import { createMaxChannel } from "../src/channels/max/max-channel.ts";
import { createDialogService } from "../src/dialog/dialog-service.ts";
import { createI18n } from "../src/i18n/i18n.ts";
import { createLogger } from "../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../src/routing/routing-store.ts";
import { type FakeMessage, type FakeUser, startFakeMaxApi } from "../tests/fakes/fake-max-api.ts";
import { createTempDb } from "../tests/helpers/temp-db.ts";
import { buildReport, createPacer } from "./bench-stats.ts";

const { values } = parseArgs({
  options: {
    families: { type: "string", default: "100" },
    rate: { type: "string", default: "0" }, // updates per second over all families; 0 = as fast as possible
    "log-level": { type: "string", default: "error" },
    "step-timeout": { type: "string", default: "120000" },
  },
});
const families = Number(values.families);
const rate = Number(values.rate);
const stepTimeoutMs = Number(values["step-timeout"]);

type Step = { press: string | RegExp } | { say: string } | { share: string } | { start: string };

/** The same conversation as the Telegram benchmark's default script (family conflict, Samara). */
const script = (phone: string): Step[] => [
  { start: "63" },
  { press: "more" },
  { press: "c:family_conflict" },
  { press: "done" },
  { press: "no" },
  { press: "adult" },
  { press: "none" },
  { press: /^Сызрань$/ },
  { say: "Постоянные ссоры с подростком, нужна консультация психолога" },
  { press: "give" },
  { say: "Анна" },
  { share: phone },
  { press: "call" },
  { press: "evening" },
  { press: "submit" },
];



const MENU = "max:menu:help";
const buttons = (m: FakeMessage) =>
  m.attachments.flatMap((a) => (a.type === "inline_keyboard" ? (a.payload?.buttons ?? []).flat() : []));

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
  const token = "max-bench-token";
  const api = await startFakeMaxApi({ token, record: false, defaultPollTimeoutMs: 5000 });
  const channel = createMaxChannel({
    token,
    baseUrl: api.baseUrl,
    service,
    db: temp.db,
    log,
    i18n,
    mode: { type: "polling" },
    outbound: { ratePerSecond: 1_000_000, maxConcurrent: 256 },
  });
  await channel.start();
  const pace = createPacer(rate);

  // Per chat: the time of the family's last action, its latency probe and the batch waiter.
  const waiting = new Map<number, { sentAt: number; first?: number; resolve: (m: FakeMessage) => void }>();
  api.onSent((m) => {
    const w = waiting.get(m.chatId);
    if (!w) return;
    w.first ??= performance.now();
    // Only the last message of a reply batch carries the menu row: the batch is complete.
    if (buttons(m).some((b) => b.payload === MENU)) {
      waiting.delete(m.chatId);
      w.resolve(m);
    }
  });

  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  let updates = 0;
  const latencies: number[] = [];

  async function runFamily(i: number): Promise<"done" | "stuck" | "timeout"> {
    const user: FakeUser = { userId: 2_000_000 + i, chatId: 3_000_000 + i, locale: "ru" };
    let last: FakeMessage | undefined;
    for (const step of script(`7999${String(1_000_000 + i).padStart(7, "0")}`)) {
      let update: unknown;
      if ("start" in step) update = api.botStarted(user, step.start);
      else if ("say" in step) update = api.textMessage(user, step.say);
      else if ("share" in step) update = api.contactMessage(user, { phone: step.share });
      else {
        const want = step.press;
        const button = last
          ? buttons(last).find((b) =>
              want instanceof RegExp
                ? want.test(b.text)
                : new RegExp(`^\\d+\\.${want}$`).test(b.payload ?? ""),
            )
          : undefined;
        if (!last || !button?.payload) return "stuck";
        update = api.callback(user, last, button.payload);
      }
      await pace();
      const sentAt = performance.now();
      const batch = new Promise<FakeMessage | undefined>((resolve) => {
        const timer = setTimeout(() => {
          waiting.delete(user.chatId);
          resolve(undefined);
        }, stepTimeoutMs);
        waiting.set(user.chatId, {
          sentAt,
          resolve: (m) => {
            clearTimeout(timer);
            const w = m;
            resolve(w);
          },
        });
      });
      const entry = waiting.get(user.chatId)!;
      updates += 1;
      api.pushUpdate(update);
      last = await batch;
      if (!last) return "timeout";
      latencies.push((entry.first ?? performance.now()) - sentAt);
    }
    return /\d{2}-\d{5}/.test(last?.text ?? "") ? "done" : "stuck";
  }

  const started = performance.now();
  const results = await Promise.all(Array.from({ length: families }, (_, i) => runFamily(i)));
  const elapsedS = (performance.now() - started) / 1000;
  await channel.stop();
  clearInterval(sampler);

  const report = buildReport({
    channel: "max",
    families,
    rate,
    outcomes: results,
    requestsInDb: await temp.db.request.count(),
    updates,
    elapsedS,
    latencies,
    peakRss,
  });
  console.log(JSON.stringify(report, null, 2));
  await api.close();
  await temp.cleanup();
}

await main();
