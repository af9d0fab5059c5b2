// An edit of the last typed answer counts as the new answer (issue 12.5): Telegram's edited_message
// and MAX's message_edited reach the engine as an "edited" event with the message id in the context.
import { describe, expect, it } from "vitest";
import type { InboundEvent } from "../../src/dialog/service-types.ts";
import { makeService, Person, routedDbPerTest } from "./db-fixture.ts";
import { engineCtx, i18n, Talk } from "./fixture.ts";

/** A Talk whose typed messages carry message ids, like the messengers' updates. */
class Chat extends Talk {
  next = 100;
  say(text: string): string {
    const id = String(++this.next);
    this.ctx = { ...this.ctx, messageId: id };
    this.send({ type: "text", text });
    return id;
  }
  edit(id: string, text: string): this {
    this.ctx = { ...this.ctx, messageId: id };
    return this.send({ type: "edited", text } satisfies InboundEvent);
  }
  override press(id: string): this {
    this.ctx = { ...this.ctx, messageId: undefined };
    return super.press(id);
  }
}

function toRegion(): Chat {
  const t = new Chat(engineCtx());
  t.send({ type: "start" });
  t.cat("family_conflict").press("done").press("no");
  expect(t.step).toBe("region");
  return t;
}

const applied = i18n.t("ru", "edit-applied");
const noted = i18n.t("ru", "edit-noted");

describe("an edited message", () => {
  it("an edit of the answer just given replaces it: a region typed wrong, then corrected", () => {
    const t = toRegion();
    const id = t.say("Смоленск");
    expect(t.state?.answers.regionCode).toBe("67");
    t.edit(id, "Сызрань");
    expect(t.texts()).toContain(applied);
    expect(t.state?.answers.regionCode).toBe("63");
    expect(t.state?.answers.municipalityId).toBe("m-syzran");
    // Syzran's own rule wins over the flag rules, so the flags are not asked there.
    expect(t.step).toBe("consent");
  });

  it("an edit of a text that was not understood is read again at the same step", () => {
    const t = toRegion();
    const id = t.say("ываыва");
    expect(t.step).toBe("region");
    t.edit(id, "Самарская область");
    expect(t.texts()).toContain(applied);
    expect(t.state?.answers.regionCode).toBe("63");
    expect(t.step).toBe("municipality");
  });

  it("the description edited after consent replaces the description", () => {
    const t = toRegion();
    t.say("Самарская область");
    t.press("other").press("none").press("give");
    expect(t.step).toBe("description");
    const id = t.say("Ссоры с мужм");
    expect(t.step).toBe("phone");
    t.edit(id, "Ссоры с мужем");
    expect(t.state?.answers.description).toBe("Ссоры с мужем");
    expect(t.step).toBe("phone");
    expect(t.effects).toContainEqual({ type: "recordInbound", text: "✏️ Ссоры с мужем" });
  });

  it("an older message edited after another answer gets a kind note and changes nothing", () => {
    const t = toRegion();
    const id = t.say("Самарская область");
    t.press("other").press("none");
    const before = t.state!.answers;
    t.edit(id, "Смоленск");
    expect(t.texts()).toContain(noted);
    expect(t.state?.answers.regionCode).toBe(before.regionCode);
    expect(t.step).toBe("consent");
  });

  it("an edit without a message id (a channel that cannot say which) gets the note", () => {
    const t = toRegion();
    t.say("Смоленск");
    t.ctx = { ...t.ctx, messageId: undefined };
    t.send({ type: "edited", text: "Сызрань" });
    expect(t.texts()).toContain(noted);
    expect(t.state?.answers.regionCode).toBe("67");
  });

  it("an answer that entered the emergency path is not undone by an edit", () => {
    const t = new Chat(engineCtx());
    t.send({ type: "start" });
    t.cat("family_conflict").press("done");
    const id = t.say("да");
    expect(t.state?.urgent).toBe(true);
    t.edit(id, "нет");
    expect(t.state?.urgent).toBe(true);
    expect(t.texts()).toContain(noted);
  });
});

describe("an edited message through the service", () => {
  const tmp = routedDbPerTest();

  it("the channel's message id reaches the engine: an edited region is the new answer, stored", async () => {
    const service = makeService(tmp.db, () => new Date("2026-03-02T06:00:00Z"));
    const p = new Person(service);
    await p.send({ type: "start" });
    await p.press("c:family_conflict");
    await p.press("no");
    // The Person's conversation (console channel, chat-1).
    const base = { channel: "console" as const, chatId: "chat-1", userId: "user-chat-1", locale: "ru" };
    await service.handle({ ...base, updateKey: "m-501", messageId: "501" }, { type: "text", text: "Смоленск" });
    const res = await service.handle({ ...base, updateKey: "e-501", messageId: "501" }, { type: "edited", text: "Самарская область" });
    if (res.type !== "handled") throw new Error("not handled");
    expect(res.replies.map((r) => (r.type === "removeKeyboard" ? "" : r.text)).join("\n")).toContain(applied);
    const conv = await tmp.db.conversation.findFirstOrThrow();
    const state = JSON.parse(conv.state ?? "{}") as { step: string; answers: { regionCode?: string } };
    expect(state.answers.regionCode).toBe("63");
    expect(state.step).toBe("consent");
  });
});
