// Webhook route for MAX on the service's own Fastify server. MAX signs nothing; it sends the
// secret given at subscription in `X-Max-Bot-Api-Secret`. Wrong or missing → 401, nothing runs.
// MAX wants 200 within 30 s, so the update is acknowledged first and applied right after (in
// per-chat order by the channel).
import { timingSafeEqual } from "node:crypto";
import type { FastifyPluginAsync } from "fastify";
import type { MaxChannel } from "./max-channel.ts";

export interface MaxWebhookOptions {
  secret: string;
  path?: string;
}

const SECRET_HEADER = "x-max-bot-api-secret";

function secretMatches(expected: string, got: unknown): boolean {
  if (typeof got !== "string" || expected.length === 0) return false;
  const a = Buffer.from(got);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function maxWebhookPlugin(
  channel: Pick<MaxChannel, "accept" | "accepting">,
  { secret, path = "/webhooks/max" }: MaxWebhookOptions,
): FastifyPluginAsync {
  return async (app) => {
    app.post(path, { bodyLimit: 1024 * 1024 }, async (req, reply) => {
      if (!secretMatches(secret, req.headers[SECRET_HEADER])) {
        req.log.warn({ route: "max-webhook" }, "max webhook rejected: bad secret");
        return reply.code(401).send({ ok: false });
      }
      // Not started yet or stopping: a non-200 makes MAX deliver the update again later.
      if (!channel.accepting) return reply.code(503).send({ ok: false });
      const update = req.body;
      // Not an update (an array, a number, null): a non-200 would make MAX re-send it forever.
      // Unknown update types are objects and are ignored further on (also with 200).
      if (typeof update !== "object" || update === null || Array.isArray(update)) {
        req.log.warn({ route: "max-webhook" }, "max webhook: body is not an update; ignored");
        return reply.code(200).send({ ok: true, ignored: true });
      }
      // Answer once the update is journaled (processing goes on in its chat's queue); if it cannot
      // be stored, a non-200 makes MAX deliver it again.
      try {
        await channel.accept(update);
      } catch (err) {
        req.log.error({ route: "max-webhook", err: (err as Error).name }, "max webhook: update not stored");
        return reply.code(503).send({ ok: false });
      }
      return reply.code(200).send({ ok: true });
    });
  };
}
