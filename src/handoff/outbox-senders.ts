// Senders the outbox worker uses to reach operators' chats (and, later, families) in Telegram and
// MAX. Each maps the API's answer to a SendResult so retries are decided from the database.
import { Bot as MaxBot, MaxError } from "@maxhub/max-bot-api";
import { Api, GrammyError, HttpError } from "grammy";
import { z } from "zod";
import type { FetchFn } from "../channels/http-transport.ts";
import { maxBotLimiter } from "../channels/max/max-outbound.ts";
import { limitTelegramApi } from "../channels/telegram/telegram-throttle.ts";
import type { OutboundPriority } from "../channels/outbound-limiter.ts";
import { deliveryPriority, type Sender } from "../outbox/outbox.ts";

/** What the outbox stores for a chat message: text and an optional single callback button. */
export const chatPayloadSchema = z.object({
  // Never an empty or blank text: both APIs refuse one (a row like that fails as BAD_PAYLOAD, unsent).
  text: z.string().refine((t) => t.trim().length > 0),
  take: z.object({ label: z.string(), data: z.string().max(64) }).optional(),
  /** One row of callback buttons (the family's "did this help?" 1–5). */
  buttons: z.array(z.object({ label: z.string(), data: z.string().max(64) })).max(8).optional(),
});

/** The payload's buttons as one row: the single "take" button, or the row of `buttons`. */
const buttonRow = (p: z.infer<typeof chatPayloadSchema>) => (p.take ? [p.take] : (p.buttons ?? []));

export function createTelegramOutboxSender({ token, apiRoot, fetch }: { token: string; apiRoot: string; fetch?: FetchFn }): Sender {
  // The bot's one limiter in this process, shared with the channel's replies (outbound-limiter.ts):
  // a client per priority there (urgent alerts to centers go before ordinary notices).
  const apis = new Map<OutboundPriority, Api>();
  const apiAt = (priority: OutboundPriority): Api => {
    let api = apis.get(priority);
    if (!api) {
      api = new Api(token, { apiRoot, ...(fetch ? { fetch: fetch as never } : {}) });
      limitTelegramApi(api, { token, apiRoot }, undefined, priority);
      apis.set(priority, api);
    }
    return api;
  };
  return async ({ kind, target, payload }) => {
    const api = apiAt(deliveryPriority(kind));
    const parsed = chatPayloadSchema.safeParse(payload);
    if (!parsed.success) return { type: "failed", code: "BAD_PAYLOAD" };
    const { text } = parsed.data;
    const row = buttonRow(parsed.data);
    try {
      await api.sendMessage(
        target,
        text.slice(0, 4096),
        row.length > 0 ? { reply_markup: { inline_keyboard: [row.map((b) => ({ text: b.label, callback_data: b.data }))] } } : {},
      );
      return { type: "sent" };
    } catch (err) {
      if (err instanceof GrammyError) {
        const code = `HTTP_${err.error_code}`;
        if (err.error_code === 429) {
          return { type: "retry", code, retryAfterMs: (err.parameters.retry_after ?? 1) * 1000 };
        }
        if (err.error_code === 403) return { type: "blocked", code };
        if (err.error_code >= 500) return { type: "retry", code };
        return { type: "failed", code };
      }
      if (err instanceof HttpError) return { type: "retry", code: "NETWORK" };
      return { type: "retry", code: "SEND_ERROR" };
    }
  };
}

export function createMaxOutboxSender({ token, baseUrl, fetch }: { token: string; baseUrl: string; fetch?: FetchFn }): Sender {
  const bot = new MaxBot(token, { clientOptions: { baseUrl, ...(fetch ? { fetch } : {}) } });
  // The bot's one limiter in this process, shared with the channel (outbound-limiter.ts).
  const limiter = maxBotLimiter({ token, baseUrl });
  return async ({ kind, target, payload }) => {
    const parsed = chatPayloadSchema.safeParse(payload);
    if (!parsed.success) return { type: "failed", code: "BAD_PAYLOAD" };
    const { text } = parsed.data;
    const row = buttonRow(parsed.data);
    // "user:<id>": a person's private dialog with the bot (a staff member's linked account), else a chat id.
    const toUser = target.startsWith("user:");
    const chatId = Number(toUser ? target.slice(5) : target);
    if (!Number.isSafeInteger(chatId)) return { type: "failed", code: "BAD_TARGET" };
    try {
      const send = toUser ? bot.api.sendMessageToUser : bot.api.sendMessageToChat;
      const sent = await limiter.run({ priority: deliveryPriority(kind) }, () => send(chatId, text.slice(0, 4000), {
        ...(row.length > 0
          ? {
              attachments: [
                { type: "inline_keyboard", payload: { buttons: [row.map((b) => ({ type: "callback" as const, text: b.label, payload: b.data }))] } },
              ],
            }
          : {}),
      }));
      // A family's chat keeps the bot's mids for the quick exit (/hide), operators' replies too.
      return toUser ? { type: "sent" } : { type: "sent", refs: [sent.body.mid] };
    } catch (err) {
      if (err instanceof MaxError) {
        const code = `HTTP_${err.status}`;
        if (err.status === 429 || err.status >= 500) return { type: "retry", code };
        if (err.status === 403) return { type: "blocked", code };
        return { type: "failed", code };
      }
      return { type: "retry", code: "NETWORK" };
    }
  };
}
