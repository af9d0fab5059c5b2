// Issue 11 §2 and §1 (later messages): reasons stored on the request, shown to operators on the
// request page and in the operators'-chat notice (never the family's words), "danger now" only
// when true; a danger phrase after the request exists re-raises it and alerts the center, in the
// same transaction as the family's message.
import { describe, expect, it } from "vitest";
import { parseUrgencyReasons } from "../../src/dialog/urgency-reasons.ts";
import { Browser, buildAdminTestApp, makeRequest } from "../web/helpers.ts";
import { seededDbPerTest } from "../web/seeded-db.ts";
import { makeService, Person, routedDbPerTest, walkToSummary } from "./db-fixture.ts";

// Monday 2 March 2026, 10:00 in Samara: the center is open.
const clock = () => new Date("2026-03-02T06:00:00Z");

describe("reasons on requests made through the dialog", () => {
  const tmp = routedDbPerTest({ operatorsChat: "-100500" });

  it("a burned-out mother's «Да»: P0 with its reason, no «danger now», and the notice says why", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await p.send({ type: "start" });
    await p.press("c:parental_burnout");
    await p.press("no");
    await p.press("yes"); // «Бывает ли, что вам страшно навредить ребёнку или себе?»
    expect(p.texts()).not.toContain("звучит очень серьёзно");
    await p.press("safe");
    await p.text("Самара");
    await p.press("give");
    await p.send({ type: "contact", phone: "+7 999 123-45-67", own: true });
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req.urgency).toBe("P0");
    expect(JSON.parse(req.flags)).not.toContain("danger_now");
    expect(parseUrgencyReasons(req.urgencyReasons)).toEqual([{ source: "answer", code: "check_burnout", level: "P0", dangerNow: false }]);
    const notice = await tmp.db.outbox.findFirstOrThrow({ where: { kind: "center_new_request_p0" } }); // a P0 request: the urgent notice
    const text = (JSON.parse(notice.payload) as { text: string }).text;
    expect(text).toContain("Почему: страх причинить вред себе или ребёнку — ответ в диалоге");
    expect(text).not.toContain("опасность сейчас");
    expect(text).not.toContain("+7999");
  });

  it("a danger phrase after the request exists: P0, its reason, danger now, the center alerted without the words", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToSummary(p);
    await p.press("submit");
    const before = await tmp.db.request.findFirstOrThrow();
    expect(before.urgency).toBe("P2");
    await p.text("он опять пришёл пьяный и сказал что убьёт меня");
    expect(p.texts()).toContain("112");
    expect(p.texts()).toContain("как срочную");
    const after = await tmp.db.request.findFirstOrThrow();
    expect(after.urgency).toBe("P0");
    expect(after.dueAt.getTime()).toBeLessThanOrEqual(clock().getTime() + 3600_000);
    expect(JSON.parse(after.flags)).toContain("danger_now");
    const reasons = parseUrgencyReasons(after.urgencyReasons);
    expect(reasons.some((r) => r.source === "phrase" && r.level === "P0" && r.dangerNow)).toBe(true);
    const alerts = await tmp.db.outbox.findMany({ where: { kind: "center_escalation" } });
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ channel: "telegram", target: "-100500", requestId: after.id });
    expect(alerts[0]!.payload).toContain(after.number);
    for (const words of ["убьёт", "пьяный", "Анна", "+79991234567", "ссоры"]) expect(alerts[0]!.payload).not.toContain(words);
    const audit = await tmp.db.auditLog.findFirstOrThrow({ where: { action: "request.escalate_red_flag" } });
    expect(JSON.parse(audit.details)).toMatchObject({ from: "P2", to: "P0" });
    // The family's message itself is in the transcript for the operator.
    const transcript = await tmp.db.transcriptMessage.findMany({ where: { requestId: after.id } });
    expect(transcript.map((m) => m.text)).toContain("он опять пришёл пьяный и сказал что убьёт меня");
  });

  it("a photo caption and an edited message after the request are screened the same way", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToSummary(p);
    await p.press("submit");
    await p.send({ type: "unsupported", kind: "photo", caption: "вот синяки, он опять бьёт ребёнка" });
    expect(p.texts()).toContain("112");
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req.urgency).toBe("P0");
    await p.send({ type: "edited", text: "он сказал что убьёт меня" });
    expect(p.texts()).toContain("112");
    // One alert per message that raised it.
    expect(await tmp.db.outbox.count({ where: { kind: "center_escalation" } })).toBe(2);
  });

  it("after /start, a danger phrase still raises the earlier open request and alerts its center", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToSummary(p);
    await p.press("submit");
    await p.send({ type: "command", name: "start" });
    await p.text("он сказал что убьёт меня");
    expect(p.texts()).toContain("112");
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req.urgency).toBe("P0");
    expect(await tmp.db.outbox.count({ where: { kind: "center_escalation", requestId: req.id } })).toBe(1);
    // A family without any request is not told about one.
    const q = new Person(makeService(tmp.db, clock), "chat-2");
    await q.send({ type: "start" });
    await q.text("он сказал что убьёт меня");
    expect(q.texts()).not.toContain("заявка уже закрыта");
    expect(await tmp.db.request.count()).toBe(1);
  });

  it("a P1 phrase after the request raises a P2 request to P1 quietly (no emergency script, no alert)", async () => {
    const p = new Person(makeService(tmp.db, clock));
    await walkToSummary(p);
    await p.press("submit");
    await p.text("опека грозится забрать ребёнка");
    expect(p.texts()).not.toContain("звучит очень серьёзно");
    const req = await tmp.db.request.findFirstOrThrow();
    expect(req.urgency).toBe("P1");
    expect(JSON.parse(req.flags)).not.toContain("danger_now");
    expect(parseUrgencyReasons(req.urgencyReasons).some((r) => r.source === "phrase" && r.level === "P1")).toBe(true);
    expect(await tmp.db.outbox.count({ where: { kind: "center_escalation" } })).toBe(0);
  });
});

describe("the request page shows why", () => {
  const seeded = seededDbPerTest();

  it("lists the reasons, and marks danger now only where the family said so", async () => {
    const t = await seeded();
    const w = t.w;
    const app = await buildAdminTestApp({ db: t.db });
    const burnout = await makeRequest(t.db, { number: "63-00100", queueId: w.queues.samara, regionCode: "63", urgency: "P0", categories: ["parental_burnout"] });
    await t.db.request.update({
      where: { id: burnout.id },
      data: { urgencyReasons: JSON.stringify([{ source: "answer", code: "check_burnout", level: "P0", dangerNow: false }]) },
    });
    const danger = await makeRequest(t.db, { number: "63-00101", queueId: w.queues.samara, regionCode: "63", urgency: "P0", categories: ["violence"] });
    await t.db.request.update({
      where: { id: danger.id },
      data: {
        flags: JSON.stringify(["danger_now"]),
        urgencyReasons: JSON.stringify([
          { source: "answer", code: "danger_now", level: "P0", dangerNow: true },
          { source: "category", code: "violence", level: "P1", dangerNow: false },
        ]),
      },
    });
    const b = new Browser(app);
    await b.login("op63@test.local");
    const reasonsOf = (html: string) => /<dd id="urgency-reasons">([\s\S]*?)<\/dd>/.exec(html)?.[1] ?? "";

    const page1 = (await b.get("/requests/63-00100")).body;
    expect(reasonsOf(page1)).toContain("страх причинить вред себе или ребёнку — ответ в диалоге");
    expect(reasonsOf(page1)).not.toContain("опасность сейчас");
    expect(page1).not.toContain("опасность сейчас");

    const page2 = (await b.get("/requests/63-00101")).body;
    expect(reasonsOf(page2)).toContain("опасность прямо сейчас — ответ «Да» в диалоге");
    expect(reasonsOf(page2)).toContain("опасность сейчас");
    expect(reasonsOf(page2)).toContain("Насилие в семье");
  });
});
