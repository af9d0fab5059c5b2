// Edited messages reach the dialog in both messengers (issues 12.5 and 15.8): Telegram's
// `edited_message` and MAX's `message_edited` become an `edited` event, and both the typed answer
// and its edit carry the same `messageId` in the context, so the dialog can tell an edit of the
// last answer (a new answer) from an edit of something older.
import { describe, expect, it } from "vitest";
import { maxWorld } from "../max/max-world.ts";
import { captureLog } from "../telegram/helpers.ts";
import { createScriptedService, type ScriptedService } from "../telegram/scripted-service.ts";
import { telegramWorld } from "../telegram/telegram-world.ts";

const messageIdOf = (service: ScriptedService, i: number) => (service.calls[i]?.ctx as { messageId?: string } | undefined)?.messageId;

describe("edited messages", () => {
  const telegram = telegramWorld({ demoRouting: false });
  const max = maxWorld({ demoRouting: false });

  it("Telegram: the answer and its edit reach the dialog with the same message id; another message has its own", async () => {
    const service = createScriptedService(telegram.db);
    const { api, channel } = await telegram.start({ service, channel: { log: captureLog("warn").log, throttle: false } });
    const parent = { id: 621, language_code: "ru" };
    const answer = api.push(api.text(parent, "Самара"));
    await api.waitFor(() => service.calls.length === 1);
    api.push(api.edited(answer, "Сызрань"));
    api.push(api.text(parent, "ещё"));
    await api.waitFor(() => service.calls.length === 3);
    await channel.idle();
    expect(service.calls.map((c) => c.event)).toEqual([
      { type: "text", text: "Самара" },
      { type: "edited", text: "Сызрань" },
      { type: "text", text: "ещё" },
    ]);
    expect(messageIdOf(service, 0)).toBe(String((answer.message as { message_id: number }).message_id));
    expect(messageIdOf(service, 1)).toBe(messageIdOf(service, 0));
    expect(messageIdOf(service, 2)).not.toBe(messageIdOf(service, 0));
  });

  it("MAX: the answer and its edit reach the dialog with the same message id (mid)", async () => {
    const service = createScriptedService(max.db);
    const h = await max.start("webhook", { service });
    const parent = { userId: 731, chatId: 8731 };
    const answer = h.api.textMessage(parent, "Самара");
    await h.deliver(answer);
    await h.settle();
    await h.deliver(h.api.editedMessage(parent, answer, "Сызрань"));
    await h.deliver(h.api.textMessage(parent, "ещё"));
    await h.settle();
    expect(service.calls.map((c) => c.event)).toEqual([
      { type: "text", text: "Самара" },
      { type: "edited", text: "Сызрань" },
      { type: "text", text: "ещё" },
    ]);
    expect(messageIdOf(service, 0)).toBe(answer.message.body.mid);
    expect(messageIdOf(service, 1)).toBe(messageIdOf(service, 0));
    expect(messageIdOf(service, 2)).not.toBe(messageIdOf(service, 0));
  });
});
