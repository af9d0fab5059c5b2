// Webhook endpoint for the Telegram channel, mounted by main.ts on the service's HTTP server.
// Telegram sends the secret given to setWebhook in X-Telegram-Bot-Api-Secret-Token; anything
// without it is refused before the body is looked at.
import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { Update } from "grammy/types";
import { z } from "zod";

export interface TelegramWebhookTarget {
  accept(update: Update): Promise<void>;
  readonly accepting: boolean;
}

export interface TelegramWebhookOptions {
  secret: string;
  path?: string;
}

// Only the envelope is checked here; the channel's translation tolerates unknown update shapes.
const updateEnvelopeSchema = z.looseObject({ update_id: z.number().int().nonnegative() });

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function telegramWebhookPlugin(channel: TelegramWebhookTarget, options: TelegramWebhookOptions): FastifyPluginAsync {
  const path = options.path ?? "/webhooks/telegram";
  if (!options.secret) throw new Error("telegram webhook: a secret is required");
  return async (app) => {
    app.post(path, async (req, reply) => {
      const given = req.headers["x-telegram-bot-api-secret-token"];
      if (typeof given !== "string" || !sameSecret(given, options.secret)) {
        req.log.warn({ route: path }, "telegram webhook: wrong or missing secret");
        return reply.code(401).send({ ok: false });
      }
      const parsed = updateEnvelopeSchema.safeParse(req.body);
      // Not an update we can use (no update_id): a non-200 would make Telegram re-send it forever.
      if (!parsed.success) {
        req.log.warn({ route: path }, "telegram webhook: body is not an update; ignored");
        return reply.code(200).send({ ok: true, ignored: true });
      }
      // While stopping, refuse so Telegram keeps the update and delivers it again later.
      if (!channel.accepting) return reply.code(503).send({ ok: false });
      // Answer once the update is journaled; it runs in its chat's queue (stop() waits for it).
      // If it cannot be stored, 503 makes Telegram deliver it again.
      try {
        await channel.accept(parsed.data as unknown as Update);
      } catch (err) {
        req.log.error({ route: path, err: (err as Error).name }, "telegram webhook: update not stored");
        return reply.code(503).send({ ok: false });
      }
      return reply.code(200).send({ ok: true });
    });
  };
}
