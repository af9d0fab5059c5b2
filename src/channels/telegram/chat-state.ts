// What the Telegram adapter remembers per chat between updates (Conversation.channelData):
// the message whose inline buttons are live, and the reply keyboard of the phone step.
// Read through a bounded in-memory cache (so memory does not grow with finished conversations)
// and written to the database, so a restarted bot still removes the right buttons. A write is one
// UPDATE, and only when the state changed.
import { z } from "zod";
import type { Db } from "../../db/client.ts";
import type { Logger } from "../../logging/logger.ts";

const chatStateSchema = z.object({
  /** Message id of the last message sent with an inline keyboard that is still live. */
  keyboardMessageId: z.number().int().optional(),
  /** Reply-keyboard option buttons of the phone step (label → token). */
  replyOptions: z.array(z.object({ label: z.string(), token: z.string() })).optional(),
  /** A reply keyboard waits to be removed with the next plain message. */
  removePending: z.boolean().optional(),
});
export type ChatState = z.infer<typeof chatStateSchema>;

export interface ChatStateStore {
  load(chatId: string): Promise<ChatState>;
  save(chatId: string, state: ChatState): Promise<void>;
  markBlocked(chatId: string, blocked: boolean, at: Date): Promise<void>;
}

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

  return {
    async load(chatId) {
      const cached = cache.get(chatId);
      if (cached) {
        remember(chatId, cached);
        return cached;
      }
      const row = await db.conversation.findUnique({
        where: { channel_chatId: { channel: CHANNEL, chatId } },
        select: { channelData: true },
      });
      const state = parseChatState(row?.channelData);
      remember(chatId, state);
      return state;
    },
    async save(chatId, state) {
      const previous = cache.get(chatId);
      remember(chatId, state);
      if (previous && sameState(previous, state)) return;
      try {
        await db.conversation.updateMany({ where: { channel: CHANNEL, chatId }, data: { channelData: JSON.stringify(state) } });
      } catch (err) {
        // Losing this only means an old keyboard may stay visible; the service still rejects stale presses.
        log.warn({ chatId, err: (err as Error).name }, "telegram: cannot save chat state");
      }
    },
    async markBlocked(chatId, blocked, at) {
      await db.conversation.updateMany({ where: { channel: CHANNEL, chatId }, data: { blockedAt: blocked ? at : null } });
    },
  };
}
