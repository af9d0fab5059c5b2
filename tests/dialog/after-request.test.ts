// After the request is sent (issue 12.5): what the family writes goes to the specialist with a short
// acknowledgement — no «начните заново», no restart button; an edit is one more message.
import { describe, expect, it } from "vitest";
import { makeService, Person, routedDbPerTest, walkToSummary } from "./db-fixture.ts";
import { i18n, Talk } from "./fixture.ts";

/** A normal request in Samara, sent. */
function sent(): Talk {
  const t = new Talk().send({ type: "start" });
  t.cat("family_conflict").press("done").press("no");
  t.text("Самарская область").press("other").press("none").press("give");
  t.text("Ссоры дома");
  t.send({ type: "contact", phone: "+79991234567", own: true });
  t.press("submit");
  expect(t.step).toBe("done");
  // The screen after the request offers no «Начать заново» (a new request: /start, when they ask).
  expect(t.options().map((o) => o.token.split(".")[1])).toEqual(["status", "sos"]);
  return t;
}

const restartWords = /начните заново|начать заново|start over/i;

describe("messages after the request (engine)", () => {
  it.each(["Спасибо, ждём звонка", "Он опять пришёл пьяный", "3", "да", "😭😭😭"])("«%s»: one short acknowledgement, kept for the specialist", (msg) => {
    const t = sent();
    t.state = { ...t.state!, requestNumber: "63-00001" };
    t.text(msg);
    expect(t.step).toBe("done");
    expect(t.replies).toHaveLength(1);
    expect(t.texts()).toContain("63-00001");
    expect(t.texts()).toContain(i18n.t("ru", "done-message-sent", { number: "63-00001" }));
    expect(t.texts()).not.toMatch(restartWords);
    expect(t.options().some((o) => o.token.endsWith(".restart"))).toBe(false);
    expect(t.effects).toEqual([{ type: "recordInbound", text: msg }]);
    expect(t.texts().length).toBeLessThanOrEqual(400);
  });

  it("an edited message after the request is acknowledged the same way and kept with its mark", () => {
    const t = sent();
    t.send({ type: "edited", text: "Ссоры дома, и муж ушёл" });
    expect(t.replies).toHaveLength(1);
    expect(t.texts()).toContain(i18n.t("ru", "done-message-sent", { number: "—" }).slice(0, 30));
    expect(t.effects).toEqual([{ type: "recordInbound", text: "✏️ Ссоры дома, и муж ушёл" }]);
  });

  it("the resting screen (after /help) does not tell them to start over; a new request when they ask", () => {
    const t = sent();
    t.send({ type: "command", name: "help" });
    expect(t.texts()).not.toMatch(/начните заново|start over/i);
    expect(t.options().map((o) => o.token.split(".")[1])).toEqual(["status", "sos"]);
    t.send({ type: "command", name: "start" });
    expect(t.step).toBe("categories");
  });

  it("a danger phrase after the request still gets the numbers and raises the request", () => {
    const t = sent();
    t.text("он сказал что убьёт меня");
    expect(t.texts()).toContain("112");
    expect(t.effects.some((e) => e.type === "escalateRequest")).toBe(true);
  });
});

describe("messages after the request (service)", () => {
  const tmp = routedDbPerTest();
  const now = new Date("2026-03-02T06:00:00Z");

  it("a reply to the specialist joins the request's transcript and gets a short acknowledgement with the request number", async () => {
    const p = new Person(makeService(tmp.db, () => now));
    await walkToSummary(p);
    await p.press("submit");
    const req = await tmp.db.request.findFirstOrThrow();
    await p.text("Можно звонить после шести");
    expect(p.replies).toHaveLength(1);
    expect(p.texts()).toBe(i18n.t("ru", "done-message-sent", { number: req.number }));
    expect(p.options()).toEqual([]);
    await p.send({ type: "edited", text: "Можно звонить после семи" });
    expect(p.texts()).toBe(i18n.t("ru", "done-message-sent", { number: req.number }));
    const kept = await tmp.db.transcriptMessage.findMany({ where: { requestId: req.id }, orderBy: { createdAt: "asc" } });
    expect(kept.map((m) => m.text).slice(-2)).toEqual(["Можно звонить после шести", "✏️ Можно звонить после семи"]);
    expect(await tmp.db.request.count()).toBe(1);
  });
});
