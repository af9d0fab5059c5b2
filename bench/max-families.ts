// The messenger side of the MAX benchmark, run as a child process by max-bench.ts: the fake MAX
// API (real HTTP on 127.0.0.1, long polling with marker) and N simulated families following the
// same conversation as the Telegram benchmark's default script (family conflict, Samara).
import { parseArgs } from "node:util";
import { type FakeMessage, type FakeUser, startFakeMaxApi } from "../tests/fakes/fake-max-api.ts";
import { createPacer, createStagger } from "./bench-stats.ts";
import { serveLoad } from "./load-harness.ts";

const { values } = parseArgs({
  options: {
    families: { type: "string" },
    rate: { type: "string" },
    "step-timeout": { type: "string" },
    think: { type: "string", default: "0" },
  },
});
const families = Number(values.families);
const rate = Number(values.rate);
const stepTimeoutMs = Number(values["step-timeout"]);
const thinkMs = Number(values.think);

type Step = { press: string | RegExp } | { say: string } | { share: string } | { start: string };

const script = (phone: string): Step[] => [
  { start: "63" },
  { press: "more" },
  { press: "c:family_conflict" },
  { press: "no" },
  { press: /^Сызрань$/ },
  { press: "give" },
  { say: "Постоянные ссоры с подростком, нужна консультация психолога. Анна" },
  { share: phone },
  { press: "submit" },
];
const UPDATES_PER_FAMILY = script("").length;

/** Only the last message of a reply batch carries the menu row: seeing it means the batch is complete. */
const MENU = "max:menu:help";
const buttons = (m: FakeMessage) =>
  m.attachments.flatMap((a) => (a.type === "inline_keyboard" ? (a.payload?.buttons ?? []).flat() : []));

type Outcome = "done" | "stuck" | "timeout";

await serveLoad(async () => {
  const token = "max-bench-token";
  const api = await startFakeMaxApi({ token, record: false, defaultPollTimeoutMs: 5000 });
  // Per chat: when the family's update was queued, the first bot message after it, the batch waiter.
  const waiting = new Map<number, { first?: number; resolve: (m: FakeMessage) => void }>();
  api.onSent((m) => {
    const w = waiting.get(m.chatId);
    if (!w) return;
    w.first ??= performance.now();
    if (buttons(m).some((b) => b.payload === MENU)) {
      waiting.delete(m.chatId);
      w.resolve(m);
    }
  });

  return {
    info: { baseUrl: api.baseUrl, token },
    async run() {
      const pace = createPacer(rate);
      const stagger = createStagger(rate, UPDATES_PER_FAMILY);
      let updates = 0;
      const latencies: number[] = [];
      const sentAtS: number[] = [];
      let started = 0;

      async function runFamily(i: number): Promise<Outcome> {
        await stagger(i);
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
          // A family reads and answers in `--think` ms (not counted in its wait), within the overall pace.
          if (thinkMs > 0) await new Promise<void>((r) => setTimeout(r, thinkMs));
          await pace();
          const entry: { first?: number; resolve: (m: FakeMessage) => void } = { resolve: () => undefined };
          const batch = new Promise<FakeMessage | undefined>((resolve) => {
            const timer = setTimeout(() => {
              waiting.delete(user.chatId);
              resolve(undefined);
            }, stepTimeoutMs);
            entry.resolve = (m) => {
              clearTimeout(timer);
              resolve(m);
            };
          });
          waiting.set(user.chatId, entry);
          updates += 1;
          const queuedAt = performance.now();
          api.pushUpdate(update);
          last = await batch;
          if (!last) return "timeout";
          latencies.push((entry.first ?? performance.now()) - queuedAt);
          sentAtS.push((queuedAt - started) / 1000);
        }
        return /\d{2}-\d{5}/.test(last?.text ?? "") ? "done" : "stuck";
      }

      started = performance.now();
      const outcomes = await Promise.all(Array.from({ length: families }, (_, i) => runFamily(i)));
      const elapsedS = (performance.now() - started) / 1000;
      if (api.retainedUpdates > 0) console.error(`fake MAX API still holds ${api.retainedUpdates} updates`);
      return { outcomes, updates, elapsedS, latencies, sentAtS };
    },
    close: () => api.close(),
  };
});
