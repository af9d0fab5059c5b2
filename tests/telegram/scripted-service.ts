// A scripted stand-in for the dialog service: records what the channel passes, dedupes update
// keys like the real one, creates the Conversation row (so channel data and blockedAt can be
// checked), and answers with replies chosen by the test.
import type { Db } from "../../src/db/client.ts";
import type { DialogService, HandleResult, InboundContext, InboundEvent, Reply } from "../../src/dialog/service-types.ts";

export interface ScriptedCall {
  ctx: InboundContext;
  event: InboundEvent;
}

export interface ScriptedService extends DialogService {
  calls: ScriptedCall[];
  /** Replaces the responder for the following calls. */
  respond(fn: (ctx: InboundContext, event: InboundEvent) => Reply[] | Promise<Reply[]>): void;
}

export function createScriptedService(db: Db): ScriptedService {
  const seen = new Set<string>();
  let responder: (ctx: InboundContext, event: InboundEvent) => Reply[] | Promise<Reply[]> = () => [{ type: "text", text: "ok" }];
  const calls: ScriptedCall[] = [];
  return {
    calls,
    respond(fn) {
      responder = fn;
    },
    async handle(ctx, event): Promise<HandleResult> {
      const key = `${ctx.channel}:${ctx.updateKey}`;
      if (seen.has(key)) return { type: "duplicate" };
      seen.add(key);
      calls.push({ ctx, event });
      await db.conversation.upsert({
        where: { channel_chatId: { channel: ctx.channel, chatId: ctx.chatId } },
        create: { channel: ctx.channel, chatId: ctx.chatId, userId: ctx.userId, state: "{}", stateVersion: 1 },
        update: {},
      });
      return { type: "handled", replies: await responder(ctx, event) };
    },
  };
}
