// Outbound limits of the Bot API as a grammY API transformer: a token bucket per chat (a short
// burst, then the sustained rate) under one bucket for the whole bot (`limiter`'s hierarchical
// buckets). A call with tokens to spare goes out at once — the Bottleneck-based throttler we used
// before added about 10 ms to every call even then. Calls of one chat wait in order.
import type { Transformer } from "grammy";
import { TokenBucket } from "limiter";

export interface ThrottleOptions {
  /** Messages per second over all chats (Telegram: about 30). */
  globalPerSecond: number;
  /** Sustained messages per second in one chat (Telegram: about 1). */
  perChatPerSecond: number;
  /** Messages one chat may get at once before the per-chat rate applies. */
  perChatBurst: number;
  /** Messages per minute in one group chat (Telegram: about 20). */
  perGroupPerMinute?: number;
}

/** Chats whose buckets are kept before idle (full) ones are dropped. */
const MAX_BUCKETS = 10_000;

function fullBucket(opts: ConstructorParameters<typeof TokenBucket>[0]): TokenBucket {
  const bucket = new TokenBucket(opts);
  bucket.content = bucket.bucketSize; // a new chat starts with its burst available
  return bucket;
}

export function createTelegramThrottle(options: ThrottleOptions): Transformer {
  const overall = fullBucket({ bucketSize: options.globalPerSecond, tokensPerInterval: options.globalPerSecond, interval: 1000 });
  const perGroup = options.perGroupPerMinute ?? 20;
  const chats = new Map<string, TokenBucket>();

  const bucketOf = (chatId: string): TokenBucket => {
    let bucket = chats.get(chatId);
    if (bucket) return bucket;
    if (chats.size >= MAX_BUCKETS) {
      for (const [id, b] of chats) {
        b.drip();
        if (b.content >= b.bucketSize) chats.delete(id);
      }
    }
    // Group and channel ids are negative in the Bot API.
    bucket = chatId.startsWith("-")
      ? fullBucket({ bucketSize: perGroup, tokensPerInterval: perGroup, interval: 60_000, parentBucket: overall })
      : fullBucket({ bucketSize: options.perChatBurst, tokensPerInterval: options.perChatPerSecond, interval: 1000, parentBucket: overall });
    chats.set(chatId, bucket);
    return bucket;
  };

  return async (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    if (typeof chatId === "number" || typeof chatId === "string") await bucketOf(String(chatId)).removeTokens(1);
    return prev(method, payload, signal);
  };
}
