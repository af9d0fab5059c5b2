// A simulated family talking to the bot through the fake Bot API: reads the bot's last question
// (its buttons), chooses what a parent following a script would press or type, and sends the
// update. Used by the end-to-end tests and by bench/telegram-bench.ts.
// It knows the engine's token shape "<seq>.<id>" and option ids, not its texts.
import type { Update } from "grammy/types";
import type { FakeTelegramApi, FakeUser, SentMessage } from "../fakes/fake-telegram-api.ts";

export interface FamilyScript {
  /** Category code pressed on the category screen (e.g. "family_conflict", "suicide_crisis"). */
  category: string;
  regionText: string;
  description: string;
  consent: "give" | "decline";
  name: string;
  phone: string;
  /** Share a contact of another person instead of one's own. */
  shareForeignContact?: boolean;
  /** Optional deep-link payload of /start. */
  startPayload?: string;
}

export const DEFAULT_SCRIPT: FamilyScript = {
  category: "family_conflict",
  regionText: "Самарская область",
  description: "Постоянные ссоры с подростком, нужна консультация психолога",
  consent: "give",
  name: "Анна",
  phone: "+79991234567",
};

export type FamilyOutcome = "done" | "info" | "stuck" | "timeout";

export interface FamilyResult {
  outcome: FamilyOutcome;
  steps: number;
  /** Milliseconds from sending each update to the first bot message that followed it. */
  latencies: number[];
  /** When each of those updates was sent (`performance.now()`), in the same order as `latencies`. */
  sentAt: number[];
  /** Option ids seen on the last question (for debugging a stuck dialog). */
  lastIds: string[];
  trail: string[];
}

/** Routes the bot's messages to the family of each chat; one per fake API. */
export interface Inbox {
  /**
   * The newest question (message with a keyboard) in this chat once the chat has been quiet for
   * `settleMs`; older questions of the same batch are superseded (a person answers the last one).
   */
  nextQuestion(chatId: number, timeoutMs: number): Promise<SentMessage | undefined>;
  /** performance.now() of the next message the bot sends in this chat. */
  firstAfter(chatId: number): Promise<number>;
  /** Drops questions already received: called when the family acts, everything older is outdated. */
  clear(chatId: number): void;
  forget(chatId: number): void;
}

export function createInbox(api: FakeTelegramApi, settleMs = 15): Inbox {
  const latest = new Map<string, SentMessage>();
  const settling = new Map<string, NodeJS.Timeout>();
  const waiters = new Map<string, (m: SentMessage) => void>();
  const firsts = new Map<string, (at: number) => void>();
  const isQuestion = (m: SentMessage) => !!m.reply_markup && ("inline_keyboard" in m.reply_markup || "keyboard" in m.reply_markup);
  const deliver = (key: string) => {
    settling.delete(key);
    const w = waiters.get(key);
    const m = latest.get(key);
    if (w && m) {
      waiters.delete(key);
      latest.delete(key);
      w(m);
    }
  };
  api.onSent((m) => {
    const key = m.chat_id;
    const first = firsts.get(key);
    if (first) {
      firsts.delete(key);
      first(performance.now());
    }
    const timer = settling.get(key);
    if (timer) clearTimeout(timer);
    if (isQuestion(m)) latest.set(key, m);
    // Any message restarts the quiet period: the batch may still be going.
    if (latest.has(key)) settling.set(key, setTimeout(() => deliver(key), settleMs));
  });
  return {
    nextQuestion(chatId, timeoutMs) {
      const key = String(chatId);
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          waiters.delete(key);
          resolve(undefined);
        }, timeoutMs);
        waiters.set(key, (m) => {
          clearTimeout(timer);
          resolve(m);
        });
        if (!settling.has(key)) deliver(key);
      });
    },
    firstAfter(chatId) {
      return new Promise((resolve) => firsts.set(String(chatId), resolve));
    },
    clear(chatId) {
      latest.delete(String(chatId));
    },
    forget(chatId) {
      const key = String(chatId);
      latest.delete(key);
      waiters.delete(key);
      firsts.delete(key);
      const timer = settling.get(key);
      if (timer) clearTimeout(timer);
      settling.delete(key);
    },
  };
}

interface Button {
  id: string;
  label: string;
  data: string;
}

function buttonsOf(m: SentMessage): Button[] {
  const rows = (m.reply_markup?.inline_keyboard ?? []) as Array<Array<{ text: string; callback_data?: string }>>;
  return rows.flat().flatMap((b) => (b.callback_data ? [{ id: b.callback_data.replace(/^\d+\./, ""), label: b.text, data: b.callback_data }] : []));
}

export type Action = { type: "press"; data: string; messageId: number } | { type: "text"; text: string } | { type: "contact" } | { type: "finish"; outcome: FamilyOutcome };

/** What a parent following `script` does with question `m`. */
export function decide(m: SentMessage, script: FamilyScript, memory: { consentGiven: boolean; described?: boolean }): Action {
  const keyboard = m.reply_markup?.keyboard as Array<Array<{ text: string; request_contact?: boolean }>> | undefined;
  if (keyboard?.flat().some((b) => b.request_contact)) return { type: "contact" };
  const buttons = buttonsOf(m);
  const ids = new Set(buttons.map((b) => b.id));
  const press = (id: string): Action => {
    const b = buttons.find((x) => x.id === id);
    return b ? { type: "press", data: b.data, messageId: m.message_id } : { type: "finish", outcome: "stuck" };
  };
  const cat = buttons.find((b) => b.id === `c:${script.category}`);
  // The screen after the request (its «Мои заявки» button).
  if (ids.has("status")) return { type: "finish", outcome: "done" };
  if (ids.has("reconsider") || ids.has("topics")) return { type: "finish", outcome: "info" };
  if (cat) return cat.label.startsWith("✓") ? press("done") : press(cat.id);
  if ([...ids].some((id) => id.startsWith("c:"))) return press("more"); // our category is on another page
  if (ids.has("continue")) return press("continue");
  if (ids.has("yes") && ids.has("list")) return press("yes");
  // Family flags (ticks, or a yes/no where one flag changes the recipient): none.
  if (ids.has("none") && [...ids].some((id) => id.startsWith("f:") || id.startsWith("y:"))) return press("none");
  if (ids.has("give") && ids.has("decline")) {
    memory.consentGiven = script.consent === "give";
    return press(script.consent);
  }
  if (ids.has("submit")) return press("submit");
  if (ids.has("use")) return press("use");
  if (ids.has("call") && ids.has("message")) return press("call");
  if (ids.has("any")) return press("any");
  if (ids.has("safe")) return press("safe");
  if (ids.has("adult") && ids.has("minor")) return press("adult");
  if (ids.has("yes") && ids.has("no")) return press("no");
  const region = buttons.find((b) => b.id.startsWith("r:"));
  if (region) return press(region.id);
  if (ids.has("other")) return press("other"); // municipality: "other / don't know"
  // After consent: first the description, then the name (both offer "skip").
  if (ids.has("skip")) {
    if (memory.described) return { type: "text", text: script.name };
    memory.described = true;
    return { type: "text", text: script.description };
  }
  if (ids.size === 1 && ids.has("sos")) return { type: "text", text: script.regionText };
  return { type: "finish", outcome: "stuck" };
}

export interface RunFamilyOptions {
  api: FakeTelegramApi;
  inbox: Inbox;
  user: FakeUser;
  script?: FamilyScript;
  /** Hands an update to the bot (polling: api.push; webhook: an HTTP POST). */
  deliver: (update: Update) => Promise<void> | void;
  /** Waits for a slot before each update (benchmark pacing; not counted in latency). */
  pace?: () => Promise<void>;
  stepTimeoutMs?: number;
  maxSteps?: number;
  /**
   * Called before each action: true to go on, false to stop early, "reread" to drop this action and
   * read the next question (after the hook made the bot say something, e.g. a stale press).
   */
  beforeAction?: (step: number, action: Action, question: SentMessage) => Promise<boolean | "reread"> | boolean | "reread";
}

export async function runFamily(opts: RunFamilyOptions): Promise<FamilyResult> {
  const { api, inbox, user } = opts;
  const script = opts.script ?? DEFAULT_SCRIPT;
  const stepTimeoutMs = opts.stepTimeoutMs ?? 10_000;
  const memory: { consentGiven: boolean; described?: boolean } = { consentGiven: false };
  const latencies: number[] = [];
  const sentAt: number[] = [];
  const trail: string[] = [];
  let lastIds: string[] = [];

  const send = async (update: Update) => {
    await opts.pace?.();
    const t0 = performance.now();
    const first = inbox.firstAfter(user.id);
    inbox.clear(user.id);
    await opts.deliver(api.stamp(update));
    void first.then((t) => {
      latencies.push(t - t0);
      sentAt.push(t0);
    });
  };

  await send(api.text(user, script.startPayload ? `/start ${script.startPayload}` : "/start"));
  for (let steps = 0; steps < (opts.maxSteps ?? 60); steps++) {
    const question = await inbox.nextQuestion(user.id, stepTimeoutMs);
    if (!question) return { outcome: "timeout", steps, latencies, sentAt, lastIds, trail };
    lastIds = buttonsOf(question).map((b) => b.id);
    const action = decide(question, script, memory);
    trail.push(action.type === "press" ? action.data : action.type);
    const verdict = opts.beforeAction ? await opts.beforeAction(steps, action, question) : true;
    if (verdict === false) return { outcome: "stuck", steps, latencies, sentAt, lastIds, trail };
    if (verdict === "reread") continue;
    switch (action.type) {
      case "finish":
        inbox.forget(user.id);
        return { outcome: action.outcome, steps, latencies, sentAt, lastIds, trail };
      case "press":
        await send(api.press(user, action.messageId, action.data));
        break;
      case "text":
        await send(api.text(user, action.text));
        break;
      case "contact":
        await send(api.contact(user, script.phone, script.shareForeignContact ? user.id + 1_000_000 : user.id));
        break;
    }
  }
  return { outcome: "stuck", steps: opts.maxSteps ?? 60, latencies, sentAt, lastIds, trail };
}
