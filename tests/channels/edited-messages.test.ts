// Edited messages reach the dialog in both messengers (issues 12.5 and 15.8): Telegram's
// `edited_message` and MAX's `message_edited` become an `edited` event, and both the typed answer
// and its edit carry the same `messageId` in the context, so the dialog can tell an edit of the
// last answer (a new answer) from an edit of something older.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../src/channels/telegram/telegram-channel.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { type Harness, startHarness } from "../max/harness.ts";
import { captureLog } from "../telegram/helpers.ts";
import { createScriptedService, type ScriptedService } from "../telegram/scripted-service.ts";

let temp: TempDb;
let service: ScriptedService;
beforeEach(async () => {
  temp = await createTempDb();
  service = createScriptedService(temp.db);
});

const messageIdOf = (i: number) => (service.calls[i]?.ctx as { messageId?: string } | undefined)?.messageId;

describe("edited messages", () => {
  let api: FakeTelegramApi | undefined;
  let channel: TelegramChannel | undefined;
  let h: Harness | undefined;
  afterEach(async () => {
    await channel?.stop();
    await api?.close();
    await h?.close();
    await temp.cleanup();
    api = undefined;
    channel = undefined;
    h = undefined;
  });

  it("Telegram: the answer and its edit reach the dialog with the same message id; another message has its own", async () => {
    api = await startFakeTelegramApi();
    channel = createTelegramChannel({
      token: api.token,
      apiRoot: api.apiRoot,
      service,
      db: temp.db,
      log: captureLog("warn").log,
      i18n: createI18n(),
      mode: { type: "polling", timeoutSeconds: 1 },
      throttle: false,
    });
    await channel.start();
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
    expect(messageIdOf(0)).toBe(String((answer.message as { message_id: number }).message_id));
    expect(messageIdOf(1)).toBe(messageIdOf(0));
    expect(messageIdOf(2)).not.toBe(messageIdOf(0));
  });

  it("MAX: the answer and its edit reach the dialog with the same message id (mid)", async () => {
    h = await startHarness({ service, db: temp.db, mode: "webhook" });
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
    expect(messageIdOf(0)).toBe(answer.message.body.mid);
    expect(messageIdOf(1)).toBe(messageIdOf(0));
    expect(messageIdOf(2)).not.toBe(messageIdOf(0));
  });
});
