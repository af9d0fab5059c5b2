// The messenger side of the Telegram benchmark, run as a child process by telegram-bench.ts:
// the fake Bot API (real HTTP on 127.0.0.1) and N simulated families following the default script.
import { parseArgs } from "node:util";
import { startFakeTelegramApi, TELEGRAM_LIMITS } from "../tests/fakes/fake-telegram-api.ts";
import { createInbox, DEFAULT_SCRIPT, runFamily } from "../tests/telegram/family-driver.ts";
import { createPacer, createStagger } from "./bench-stats.ts";
import { serveLoad } from "./load-harness.ts";

const { values } = parseArgs({
  options: {
    families: { type: "string" },
    rate: { type: "string" },
    "step-timeout": { type: "string" },
    think: { type: "string", default: "0" },
    throttle: { type: "boolean", default: false },
  },
});
const thinkMs = Number(values.think);
const families = Number(values.families);
const rate = Number(values.rate);
const stepTimeoutMs = Number(values["step-timeout"]);
// Updates one family sends (both bots' dialog, since issue 12): paced families arrive so that the
// whole load is the --rate asked for.
const UPDATES_PER_FAMILY = 10;

await serveLoad(async () => {
  const api = await startFakeTelegramApi({ record: false, ...(values.throttle ? { limits: TELEGRAM_LIMITS } : {}) });
  const inbox = createInbox(api);
  return {
    info: { apiRoot: api.apiRoot, token: api.token },
    async run() {
      const pace = createPacer(rate);
      const stagger = createStagger(rate, UPDATES_PER_FAMILY);
      let updates = 0;
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: families }, async (_, i) => {
          await stagger(i);
          return runFamily({
            api,
            inbox,
            user: { id: 1_000_000 + i, language_code: "ru" },
            script: { ...DEFAULT_SCRIPT, phone: `+7999${String(1_000_000 + i).padStart(7, "0")}` },
            // A family reads and answers in `--think` ms (not counted in its wait), within the overall pace.
            pace: thinkMs > 0 ? () => new Promise<void>((r) => setTimeout(r, thinkMs)).then(pace) : pace,
            deliver: (update) => {
              updates += 1;
              api.push(update);
            },
            stepTimeoutMs,
          });
        }),
      );
      const elapsedS = (performance.now() - started) / 1000;
      const stuck = results.find((r) => r.outcome !== "done");
      if (stuck) console.error("first unfinished family:", stuck.outcome, stuck.lastIds, stuck.trail.slice(-5));
      // Calls the fake API refused (429 over the limits, or a request the real API would refuse).
      const refused = new Map<string, number>();
      for (const r of api.rejected) refused.set(`${r.method} ${r.error_code}`, (refused.get(`${r.method} ${r.error_code}`) ?? 0) + 1);
      if (refused.size > 0) console.error("refused by the fake API:", JSON.stringify([...refused]));
      return {
        outcomes: results.map((r) => r.outcome),
        updates,
        elapsedS,
        latencies: results.flatMap((r) => r.latencies),
        sentAtS: results.flatMap((r) => r.sentAt.map((t) => (t - started) / 1000)),
      };
    },
    close: () => api.close(),
  };
});
