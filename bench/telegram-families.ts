// The messenger side of the Telegram benchmark, run as a child process by telegram-bench.ts:
// the fake Bot API (real HTTP on 127.0.0.1) and N simulated families following the default script.
import { parseArgs } from "node:util";
import { startFakeTelegramApi } from "../tests/fakes/fake-telegram-api.ts";
import { createInbox, DEFAULT_SCRIPT, runFamily } from "../tests/telegram/family-driver.ts";
import { createPacer, createStagger } from "./bench-stats.ts";
import { serveLoad } from "./load-harness.ts";

const { values } = parseArgs({
  options: { families: { type: "string" }, rate: { type: "string" }, "step-timeout": { type: "string" } },
});
const families = Number(values.families);
const rate = Number(values.rate);
const stepTimeoutMs = Number(values["step-timeout"]);
/** The default script is 16 updates long (/start … submit). */
const UPDATES_PER_FAMILY = 16;

await serveLoad(async () => {
  const api = await startFakeTelegramApi({ record: false });
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
            pace,
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
      return { outcomes: results.map((r) => r.outcome), updates, elapsedS, latencies: results.flatMap((r) => r.latencies) };
    },
    close: () => api.close(),
  };
});
