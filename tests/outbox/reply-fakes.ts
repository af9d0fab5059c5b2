// What the reply-delivery suites share (reply-in-doubt, reply-progress): a temp database per test,
// a channel that records the texts it "sends", and a step's reply row committed outside a dialog step.
import type { Db } from "../../src/db/client.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { enqueueReply } from "../../src/outbox/outbox.ts";
import type { ReplySend } from "../../src/outbox/reply-delivery.ts";
import { dbPerTest } from "../helpers/world.ts";

export const log = createLogger({ level: "silent" });

/** No per-chat ordering: the task runs at once. */
export const inChat = <T>(_chat: string, task: () => Promise<T>) => task();

/** A temp database (no routing) made before each test and removed after it. */
export function replyDbPerTest(): () => Db {
  return dbPerTest("replyDbPerTest", { demoRouting: false, log }, async () => undefined);
}

export interface RecordingOptions {
  /** `fail.next` > 0: the next sends answer a 500 (an outage), counting it down. */
  fail?: { next: number };
  /** After this many messages the send never returns (the process died). */
  dieAfter?: number;
}

/** A channel that records the texts it sends, reporting each message out as it goes. */
export function recordingChannel(out: string[], o: RecordingOptions = {}): ReplySend {
  return async (_chatId, payload, how) => {
    if (o.fail && o.fail.next > 0) {
      o.fail.next -= 1;
      return { type: "retry", code: "HTTP_500" };
    }
    const already = payload.sent ?? 0;
    const texts = payload.replies.map((r) => (r.type === "text" ? r.text : "")).slice(already);
    for (const [i, t] of texts.entries()) {
      out.push(t);
      await how.wentOut?.(i + 1, already + i + 1 === payload.replies.length);
      if (o.dieAfter !== undefined && i + 1 === o.dieAfter) return new Promise(() => undefined);
    }
    return { type: "sent" };
  };
}

/** A step's reply row for chat 42, committed at `now` (as the dialog step's transaction would). */
export function commitReply(db: Db, reply: Omit<Parameters<typeof enqueueReply>[1], "channel" | "chatId">, now: Date): Promise<number> {
  const tx = db as unknown as Parameters<typeof enqueueReply>[0];
  return enqueueReply(tx, { channel: "telegram", chatId: "42", ...reply }, now);
}

/** Records each `$executeRaw` statement (its text, `?` for the values) that starts with `prefix`. */
export function captureStatements(db: Db, prefix: string): string[] {
  const seen: string[] = [];
  const executeRaw = db.$executeRaw.bind(db);
  db.$executeRaw = ((query: TemplateStringsArray, ...values: unknown[]) => {
    if (query.join("?").startsWith(prefix)) seen.push(query.join("?"));
    return executeRaw(query, ...values);
  }) as typeof db.$executeRaw;
  return seen;
}
