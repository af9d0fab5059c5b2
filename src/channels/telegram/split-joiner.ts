// Telegram splits a text longer than 4096 characters into several messages, delivered as separate
// updates: the first part exactly 4096 characters, the next one right after it (same chat, same
// sender, the next message id, the same second or the one after). A parent who wrote a long story
// would otherwise get the first half answered as the answer and the second half as a non-answer.
// A private text of exactly 4096 characters is therefore held briefly; its continuation, if it comes,
// is joined to it, and the dialog gets one text. Everything else passes straight through, and a held
// part is sent on before any other update of its chat, so per-chat order is kept.
import type { Update } from "grammy/types";
import { chatKeyOf, TELEGRAM_TEXT_LIMIT } from "./translate-update.ts";

/** Parts joined at most (as many as the translation accepts; a longer text is cut by the dialog anyway). */
export const MAX_JOINED_PARTS = 4;

export interface SplitJoiner {
  /** Hands an update over; resolves once it (alone or joined with its continuation) has been processed. */
  push(update: Update): Promise<void>;
  /** Sends every held part on now (stopping). */
  flush(): void;
  /** Resolves when nothing is held any more and what was held has been processed. */
  idle(): Promise<void>;
}

export interface SplitJoinerOptions {
  /** How long a 4096-character part waits for its continuation. */
  waitMs: number;
  /** Processes an update; `parts` are the update ids it stands for (one, or all joined ones). */
  dispatch(update: Update, parts: number[]): Promise<void>;
}

interface Held {
  key: string;
  update: Update;
  text: string;
  parts: number[];
  fromId: number;
  lastMessageId: number;
  lastDate: number;
  timer: NodeJS.Timeout;
  done: Promise<void>;
  resolve: () => void;
}

/** A private chat's plain text message (not a command), or undefined. */
function privateText(update: Update) {
  const m = update.message;
  if (m?.chat.type !== "private" || !m.from || typeof m.text !== "string") return undefined;
  return { text: m.text, fromId: m.from.id, messageId: m.message_id, date: m.date };
}

/** Whether `next` is the part Telegram split off right after `last` (same sender, next id, within a second). */
function continuesPart(last: { fromId: number; messageId: number; date: number }, next: NonNullable<ReturnType<typeof privateText>>): boolean {
  return next.fromId === last.fromId && next.messageId === last.messageId + 1 && next.date - last.date <= 1 && next.date >= last.date;
}

/** The update the dialog gets for the parts of one split text (a single part as it is). */
function joinedUpdate(first: Update, text: string, parts: number): Update {
  const message = first.message;
  return parts > 1 && message ? ({ ...first, message: { ...message, text, opora_parts: parts } } as unknown as Update) : first;
}

/**
 * The same joining for webhook mode on several instances, where the parts may reach different
 * instances and meet in the chat's journal (src/cluster/chat-claims.ts `ChatClaimsJoiner`).
 */
export const journalSplitJoin = {
  /** Whether the parts so far may be continued: the last one is a private text of exactly 4096 characters. */
  opens(parts: readonly Update[]): boolean {
    const last = parts.at(-1);
    const part = last ? privateText(last) : undefined;
    return part !== undefined && part.text.length === TELEGRAM_TEXT_LIMIT && parts.length < MAX_JOINED_PARTS;
  },
  /** Whether `next` continues the parts. */
  continues(parts: readonly Update[], next: Update): boolean {
    const last = parts.at(-1);
    const prev = last ? privateText(last) : undefined;
    const part = privateText(next);
    return prev !== undefined && part !== undefined && continuesPart({ fromId: prev.fromId, messageId: prev.messageId, date: prev.date }, part);
  },
  join(parts: readonly Update[]): Update {
    const first = parts[0];
    if (!first) throw new Error("no parts to join");
    return joinedUpdate(first, parts.map((p) => p.message?.text ?? "").join(""), parts.length);
  },
};

export function createSplitJoiner(options: SplitJoinerOptions): SplitJoiner {
  const held = new Map<string, Held>();
  const inFlight = new Set<Promise<void>>();

  const track = (p: Promise<void>) => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  function release(h: Held): void {
    clearTimeout(h.timer);
    if (held.get(h.key) === h) held.delete(h.key);
    // The joined text, and how many parts it has (the translation allows 4096 per part).
    const update = joinedUpdate(h.update, h.text, h.parts.length);
    void track(options.dispatch(update, h.parts)).then(h.resolve, h.resolve);
  }

  function hold(key: string, update: Update, part: NonNullable<ReturnType<typeof privateText>>): Promise<void> {
    let resolve = () => {};
    const done = new Promise<void>((r) => {
      resolve = r;
    });
    const h: Held = {
      key,
      update,
      text: part.text,
      parts: [update.update_id],
      fromId: part.fromId,
      lastMessageId: part.messageId,
      lastDate: part.date,
      timer: setTimeout(() => release(h), options.waitMs),
      done,
      resolve,
    };
    held.set(key, h);
    return done;
  }

  return {
    push(update) {
      const key = chatKeyOf(update);
      const part = privateText(update);
      const waiting = key ? held.get(key) : undefined;
      if (waiting && part) {
        if (continuesPart({ fromId: waiting.fromId, messageId: waiting.lastMessageId, date: waiting.lastDate }, part)) {
          waiting.text += part.text;
          waiting.parts.push(update.update_id);
          waiting.lastMessageId = part.messageId;
          waiting.lastDate = part.date;
          // A middle part of a very long text is again exactly 4096: wait for the next one.
          if (part.text.length === TELEGRAM_TEXT_LIMIT && waiting.parts.length < MAX_JOINED_PARTS) {
            clearTimeout(waiting.timer);
            waiting.timer = setTimeout(() => release(waiting), options.waitMs);
          } else {
            release(waiting);
          }
          return waiting.done;
        }
      }
      // Anything else in a chat with a held part: the held part goes first, alone.
      if (waiting) release(waiting);
      if (key && part && part.text.length === TELEGRAM_TEXT_LIMIT) return hold(key, update, part);
      return track(options.dispatch(update, [update.update_id]));
    },
    flush() {
      for (const h of [...held.values()]) release(h);
    },
    async idle() {
      while (held.size > 0 || inFlight.size > 0) {
        await Promise.all([...[...held.values()].map((h) => h.done), ...inFlight]);
      }
    },
  };
}
