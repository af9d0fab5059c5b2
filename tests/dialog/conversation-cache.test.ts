// The dialog service keeps the conversations it is in the middle of (conversation-store.ts,
// ConversationCache) so the next update of a chat skips the read. A conversation changed meanwhile
// by someone else — another instance taking the chat, an erasure from the web view — must be read
// again, never overwritten from the stale copy.
import { describe, expect, it } from "vitest";
import { resetConversationState } from "../../src/privacy/reset-conversation.ts";
import { makeService, Person, routedDbPerTest, walkToConsent } from "./db-fixture.ts";

const tmp = routedDbPerTest();
const now = new Date("2026-03-02T06:00:00Z");
const clock = () => now;

const step = async () => JSON.parse((await tmp.db.conversation.findFirstOrThrow()).state).step as string;

describe("conversation cache", () => {
  it("a step another instance applied meanwhile is built on, not overwritten", async () => {
    const a = new Person(makeService(tmp.db, clock));
    await walkToConsent(a); // instance A now holds the conversation at the consent screen
    const consentOptions = a.replies;
    // Instance B takes the chat and applies the consent press.
    const b = new Person(makeService(tmp.db, clock));
    b.replies = consentOptions;
    await b.press("give");
    expect(await step()).toBe("description");
    // The next message reaches A again: it is the description, read against B's state.
    await a.text("Постоянные ссоры, не знаю, как говорить с сыном.");
    expect(await step()).not.toBe("consent");
    expect(await step()).not.toBe("description");
    expect(await tmp.db.consentRecord.count()).toBe(1);
    const transcript = await tmp.db.transcriptMessage.findMany();
    expect(transcript.map((m) => m.text)).toEqual(["Постоянные ссоры, не знаю, как говорить с сыном."]);
  });

  it("a conversation reset meanwhile (an erasure) starts over instead of going on from the cached step", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToConsent(p);
    const conv = await tmp.db.conversation.findFirstOrThrow();
    await tmp.db.conversation.update({ where: { id: conv.id }, data: resetConversationState(conv) });
    const after = JSON.parse((await tmp.db.conversation.findFirstOrThrow()).state) as { seq: number; step: string };
    await p.press("give"); // a press on the consent screen shown before the reset
    expect(await tmp.db.consentRecord.count()).toBe(0);
    const state = JSON.parse((await tmp.db.conversation.findFirstOrThrow()).state) as { seq: number; step: string };
    expect(state.step).not.toBe("description");
    expect(state.seq).toBeGreaterThanOrEqual(after.seq);
  });

  it("a re-delivered update is still a duplicate while the conversation is cached", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToConsent(p);
    const before = (await tmp.db.conversation.findFirstOrThrow()).state;
    const res = await p.service.handle(
      { channel: "console", chatId: "chat-1", userId: "user-chat-1", updateKey: p.lastKey, locale: "ru" },
      { type: "text", text: "Сызрань" },
    );
    expect(res).toEqual({ type: "duplicate" });
    expect((await tmp.db.conversation.findFirstOrThrow()).state).toBe(before);
  });
});
