// The Telegram channel's per-chat memory (keyboard, reply keyboard, recent message ids) is written
// in batches and dropped from memory when a dialog rests: neither may lose what a restarted bot or
// a later update needs (the right buttons removed, /hide deleting the right messages).
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChatState, createChatStateStore } from "../../src/channels/telegram/chat-state.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let tmp: TempDb;
const log = createLogger({ level: "silent" });

beforeEach(async () => {
  tmp = await createTempDb();
  for (const chatId of ["1", "2", "3"]) {
    await tmp.db.conversation.create({ data: { channel: "telegram", chatId, userId: chatId, state: "", stateVersion: 1 } });
  }
});
afterEach(async () => {
  await tmp.cleanup();
});

const stored = async (chatId: string) =>
  JSON.parse((await tmp.db.conversation.findFirstOrThrow({ where: { channel: "telegram", chatId } })).channelData) as ChatState;

describe("telegram chat state", () => {
  it("several chats' changes are all written, and a new store (a restarted bot) reads them", async () => {
    const store = createChatStateStore({ db: tmp.db, log });
    const states: Record<string, ChatState> = {
      "1": { keyboardMessageId: 11, recent: [[10, 1_700_000_000]] },
      "2": { keyboardMessageId: 22, replyOptions: [{ label: "Да", token: "t.yes" }] },
      "3": { keyboardMessageId: 33 },
    };
    for (const [chatId, state] of Object.entries(states)) await store.save(chatId, state);
    await store.flush();
    for (const [chatId, state] of Object.entries(states)) expect(await stored(chatId)).toEqual(state);
    const restarted = createChatStateStore({ db: tmp.db, log });
    expect(await restarted.load("2")).toEqual(states["2"]);
  });

  it("a chat forgotten before its state was written still loads that state, and it is written", async () => {
    const store = createChatStateStore({ db: tmp.db, log });
    await store.save("1", { keyboardMessageId: 5, recent: [[4, 1_700_000_000]] });
    store.forget("1");
    expect(await store.load("1")).toEqual({ keyboardMessageId: 5, recent: [[4, 1_700_000_000]] });
    await store.flush();
    store.forget("1");
    expect(await store.load("1")).toEqual({ keyboardMessageId: 5, recent: [[4, 1_700_000_000]] });
    expect(await stored("1")).toEqual({ keyboardMessageId: 5, recent: [[4, 1_700_000_000]] });
  });

  it("is written within a moment without a flush", async () => {
    const store = createChatStateStore({ db: tmp.db, log });
    await store.save("3", { keyboardMessageId: 7 });
    await expect.poll(() => stored("3"), { timeout: 2000 }).toEqual({ keyboardMessageId: 7 });
  });
});
