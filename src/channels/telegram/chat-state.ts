// What the Telegram adapter remembers per chat between updates (Conversation.channelData):
// the message whose inline buttons are live, the reply keyboard of the phone step, and the ids of
// the chat's recent messages (both sides; ids and dates only, never texts) for the quick exit.
// Read through a bounded in-memory cache (so memory does not grow with finished conversations)
// and written to the database, so a restarted bot still removes the right buttons. Writes are
// batched: the chats whose state changed within 50 ms are written by one UPDATE (a crash inside the
// window only leaves an old keyboard visible; the service still rejects stale presses).
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import type { Logger } from "../../logging/logger.ts";

const chatStateSchema = z.object({
  /** Message id of the last message sent with an inline keyboard that is still live. */
  keyboardMessageId: z.number().int().optional(),
  /** Reply-keyboard option buttons of the phone step (label → token). */
  replyOptions: z.array(z.object({ label: z.string(), token: z.string() })).optional(),
  /** A reply keyboard waits to be removed with the next plain message. */
  removePending: z.boolean().optional(),
  /** [message id, unix seconds] of the chat's messages a bot may still delete (newest last). */
  recent: z.array(z.tuple([z.number().int(), z.number().int()])).optional(),
});
export type ChatState = z.infer<typeof chatStateSchema>;

export interface ChatStateStore {
  load(chatId: string): Promise<ChatState>;
  save(chatId: string, state: ChatState): Promise<void>;
  markBlocked(chatId: string, blocked: boolean, at: Date): Promise<void>;
  /** Writes the changed states not yet written (at stop). */
  flush(): Promise<void>;
  /** Drops the chat from memory (its dialog rests): finished conversations leave nothing behind. */
  forget(chatId: string): void;
}

/** Changed chat states are written together, one statement per this many milliseconds at most. */
const SAVE_BATCH_MS = 50;
/** Chats per UPDATE (three parameters each, within both engines' limits). */
const SAVE_BATCH_MAX = 300;

const CHANNEL = "telegram";

export function parseChatState(json: string | null | undefined): ChatState {
  if (!json) return {};
  try {
    const parsed = chatStateSchema.safeParse(JSON.parse(json));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/** Telegram lets a bot delete a private chat's messages for 48 hours; a minute's margin for clocks. */
export const DELETABLE_FOR_SECONDS = 48 * 3600 - 60;
/** Recent message ids kept per chat (a long conversation's older ones could not be deleted anyway). */
export const RECENT_LIMIT = 300;

/** `recent` with the new [id, date] entries added, those past the deletion window at `now` dropped, bounded. */
export function addRecent(recent: ChatState["recent"], entries: ReadonlyArray<readonly [number, number]>, now: number): NonNullable<ChatState["recent"]> {
  const known = new Set((recent ?? []).map(([id]) => id));
  const next = (recent ?? []).filter(([, date]) => now - date < DELETABLE_FOR_SECONDS);
  for (const [id, date] of entries) if (!known.has(id) && now - date < DELETABLE_FOR_SECONDS) next.push([id, date]);
  return next.slice(-RECENT_LIMIT);
}

function sameState(a: ChatState, b: ChatState): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function createChatStateStore({ db, log, maxCached = 10_000 }: { db: Db; log: Logger; maxCached?: number }): ChatStateStore {
  const cache = new Map<string, ChatState>();
  const remember = (chatId: string, state: ChatState) => {
    cache.delete(chatId);
    cache.set(chatId, state);
    if (cache.size > maxCached) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
  };
  /** States changed and not yet written (kept here even when the cache drops the chat). */
  let dirty = new Map<string, ChatState>();
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  async function write(batch: Map<string, ChatState>): Promise<void> {
    const entries = [...batch];
    for (let i = 0; i < entries.length; i += SAVE_BATCH_MAX) {
      const part = entries.slice(i, i + SAVE_BATCH_MAX);
      const cases = part.map(([chatId, state]) => Prisma.sql`WHEN ${chatId} THEN ${JSON.stringify(state)}`);
      try {
        await db.$executeRaw`UPDATE "Conversation" SET "channelData" = CASE "chatId" ${Prisma.join(cases, " ")} END, "updatedAt" = ${new Date()}
          WHERE "channel" = ${CHANNEL} AND "chatId" IN (${Prisma.join(part.map(([chatId]) => chatId))})`;
      } catch (err) {
        // Losing this only means an old keyboard may stay visible; the service still rejects stale presses.
        log.warn({ chats: part.length, err: (err as Error).name }, "telegram: cannot save chat state");
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (dirty.size === 0) return writing;
    const batch = dirty;
    dirty = new Map();
    writing = writing.then(() => write(batch));
    return writing;
  }

  return {
    async load(chatId) {
      const cached = cache.get(chatId) ?? dirty.get(chatId);
      if (cached) {
        remember(chatId, cached);
        return cached;
      }
      const rows = await db.$queryRaw<{ channelData: string }[]>`SELECT "channelData" FROM "Conversation" WHERE "channel" = ${CHANNEL} AND "chatId" = ${chatId}`;
      const state = parseChatState(rows[0]?.channelData);
      remember(chatId, state);
      return state;
    },
    async save(chatId, state) {
      const previous = cache.get(chatId) ?? dirty.get(chatId);
      remember(chatId, state);
      if (previous && sameState(previous, state)) return;
      dirty.set(chatId, state);
      if (dirty.size >= SAVE_BATCH_MAX) void flush();
      else timer ??= setTimeout(() => void flush(), SAVE_BATCH_MS);
    },
    async markBlocked(chatId, blocked, at) {
      await db.conversation.updateMany({ where: { channel: CHANNEL, chatId }, data: { blockedAt: blocked ? at : null } });
    },
    flush,
    forget: (chatId) => void cache.delete(chatId),
  };
}
