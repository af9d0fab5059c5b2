// Outbound limits of the Bot API as a grammY API transformer over the bot's shared limiter
// (../outbound-limiter.ts): the channel's own Api and the outbox worker's Api of the same bot take
// their turns in one place. Messages and edits count against the chat's budget, new messages also
// against the bot's overall one (Telegram's 30/s is about sent messages); other calls
// (getUpdates, answerCallbackQuery, deleteMessage, setMyCommands…) are not messages and go at once.
import type { Api, Transformer } from "grammy";
import { createOutboundLimiter, type OutboundLimiter, type OutboundPriority, sharedOutboundLimiter } from "../outbound-limiter.ts";

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

/** Telegram's documented limits, with a small burst so a step's two or three messages go out together. */
export const TELEGRAM_THROTTLE: ThrottleOptions = { globalPerSecond: 30, perChatPerSecond: 1, perChatBurst: 4, perGroupPerMinute: 20 };

/** Bot API methods that put a message into a chat or change one: these count against the chat's budget. */
export function countsAsMessage(method: string): boolean {
  return /^(send|copyMessage|forwardMessage|editMessage)/.test(method);
}

/** New messages: these also count against the bot's ~30 messages a second (edits are not sent messages). */
export function sendsMessage(method: string): boolean {
  return /^(send|copyMessage|forwardMessage)/.test(method);
}

function limiterOptions(options: ThrottleOptions) {
  return {
    perSecond: options.globalPerSecond,
    perChat: { perSecond: options.perChatPerSecond, burst: options.perChatBurst },
    perGroupPerMinute: options.perGroupPerMinute ?? 20,
  };
}

/**
 * A transformer over `limiter`; without one, a limiter of its own (tests of the throttle alone).
 * Every call through it has `priority` (an Api per priority: the channel's `apiAt`).
 */
export function createTelegramThrottle(options: ThrottleOptions, limiter?: OutboundLimiter, priority?: OutboundPriority): Transformer {
  const shared = limiter ?? createOutboundLimiter(limiterOptions(options));
  return (prev, method, payload, signal) => {
    const chatId = (payload as { chat_id?: unknown } | undefined)?.chat_id;
    const counted = countsAsMessage(method);
    return shared.run(
      {
        ...(counted && (typeof chatId === "number" || typeof chatId === "string") ? { chatId: String(chatId) } : {}),
        counted,
        overall: sendsMessage(method),
        ...(priority ? { priority } : {}),
      },
      () => prev(method, payload, signal),
    );
  };
}

/**
 * Accounting of auto-retried sends (install it inside auto-retry, i.e. before it): a new message
 * the API refused (a 429 after a moment of lag, a 5xx) is sent again by auto-retry inside the
 * throttler's slot, so the throttler saw one send where the API sees two. Each attempt after the
 * first takes its own place in the bot's overall window, as the API counts it; without this, one
 * 429 under load led to retries beyond 30/s and more 429s (the bench's cascade at 25 updates/s).
 */
export function createRetryAccounting(limiter: OutboundLimiter, priority?: OutboundPriority): Transformer {
  const attempted = new WeakSet<object>();
  return (prev, method, payload, signal) => {
    if (!sendsMessage(method) || typeof payload !== "object" || payload === null) return prev(method, payload, signal);
    if (!attempted.has(payload)) {
      attempted.add(payload); // the first attempt: the throttler outside counted it
      return prev(method, payload, signal);
    }
    return limiter.run({ counted: true, overall: true, ...(priority ? { priority } : {}) }, () => prev(method, payload, signal));
  };
}

/** Installs `createRetryAccounting` on `api` over its bot's shared limiter (call before auto-retry). */
export function countTelegramRetries(api: Api, bot: { token: string; apiRoot: string }, options: ThrottleOptions = TELEGRAM_THROTTLE, priority?: OutboundPriority): void {
  api.config.use(createRetryAccounting(sharedOutboundLimiter(bot, limiterOptions(options)), priority));
}

/** Puts `api` under its bot's shared limiter (one per token and API root in this process), its calls at `priority` (default "notice"). */
export function limitTelegramApi(api: Api, bot: { token: string; apiRoot: string }, options: ThrottleOptions = TELEGRAM_THROTTLE, priority?: OutboundPriority): void {
  api.config.use(createTelegramThrottle(options, sharedOutboundLimiter(bot, limiterOptions(options)), priority));
}
