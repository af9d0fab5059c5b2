// MAX multi-select (issue 12): ticking topics and paging between them edits the one question
// message in place (the callback answer carries the new keyboard) instead of sending a new copy on
// every press. Real dialog service, fake MAX API.
import { describe, expect, it } from "vitest";
import { Family } from "./harness.ts";
import { maxWorld } from "./max-world.ts";

const world = maxWorld();

describe.each(["polling", "webhook"] as const)("MAX topics question (%s)", (mode) => {
  it("one journey through the topics leaves one topics message, edited in place", async () => {
    const h = await world.start(mode);
    const f = new Family(h, { userId: 7401, chatId: 8401, locale: "ru" });
    await f.start("63");
    const question = f.find("more").message;
    const sentAfterStart = h.api.callsTo("POST", "/messages").length;

    await f.press("multi"); // «Несколько тем»: ticks and «Готово»
    await f.press("more"); // the next page of topics
    await f.press("c:family_conflict");
    await f.press("c:parental_burnout");
    await f.press("c:parental_burnout"); // unticked again
    await f.press("less");
    await f.press("c:housing");
    // Seven presses, no new message: the same message shows the ticks.
    expect(h.api.callsTo("POST", "/messages").length).toBe(sentAfterStart);
    const topics = f.messages().filter((m) => m.text.startsWith(question.text.slice(0, 40)));
    expect(topics.map((m) => m.mid)).toEqual([question.mid]);
    const labels = h.api.buttonsOf(topics[0]).map((b) => b.text);
    expect(labels.filter((l) => l.startsWith("✓"))).toHaveLength(1); // housing, on this page
    expect(labels.some((l) => /\(.*2.*\)/.test(l))).toBe(true); // "Готово (выбрано: 2)"

    await f.press("done");
    // Answered: the topics message loses its buttons and the next question is a new message.
    expect(f.messages().filter((m) => m.text.startsWith(question.text.slice(0, 40)))).toHaveLength(1);
    expect(h.api.buttonsOf(f.messages().find((m) => m.mid === question.mid))).toEqual([]);
    expect(f.messages().at(-1)?.mid).not.toBe(question.mid);
    const state = JSON.parse((await world.db.conversation.findFirstOrThrow({ where: { channel: "max" } })).state);
    expect(JSON.stringify(state)).toContain("family_conflict");
    expect(JSON.stringify(state)).toContain("housing");
    expect(JSON.stringify(state)).not.toContain("parental_burnout");
  });
});
