// End to end: the real dialog service and a temp SQLite database behind the MAX channel, driven
// through the fake MAX API over HTTP, in polling and in webhook mode.
import { describe, expect, it } from "vitest";
import { captureLog, Family, TOKEN } from "./harness.ts";
import { maxWorld } from "./max-world.ts";

const CONSENT_VERSION = "2025-09-test";
const world = maxWorld({ consentVersion: CONSENT_VERSION });

/** The standard conversation up to the consent screen: family conflict in Сызрань, Samara region. */
async function toConsent(f: Family) {
  await f.start("63");
  await f.press("more");
  await f.press("c:family_conflict"); // one topic: the press is the answer
  await f.press("no"); // danger now
  await f.press(/^Сызрань$/);
}

/** Consent, then the description: it is asked only after consent (design.md §4). */
async function giveConsent(f: Family) {
  await f.press("give");
  await f.say("Сын-подросток не слушается, постоянные ссоры дома");
}

describe.each(["polling", "webhook"] as const)("MAX end to end (%s)", (mode) => {
  it("a whole triage ends in a routed request, with keyboards cleaned up and callbacks answered", async () => {
    const captured = captureLog();
    const h = await world.start(mode, { service: world.service({ log: captured.log }), channel: { log: captured.log } });
    const f = new Family(h, { userId: 7001, chatId: 8001, locale: "ru" });
    await toConsent(f);
    await giveConsent(f);
    // The phone step offers MAX's "share my number" button.
    expect(h.api.buttonsOf(f.messages().at(-1)).some((b) => b.type === "request_contact")).toBe(true);
    await f.share({ phone: "79991234567" });
    // The name, on the summary's «Изменить имя».
    await f.press("e:name");
    await f.say("Мария");
    await f.press("submit");
    expect(f.messages().at(-1)?.text ?? "").toMatch(/63-\d{5}/);

    const requests = await world.db.request.findMany({
      include: { queue: true, municipality: true, consent: true },
    });
    expect(requests).toHaveLength(1);
    const r = requests[0]!;
    expect(r.channel).toBe("max");
    expect(JSON.parse(r.categories)).toEqual(["family_conflict"]);
    expect(r.urgency).toBe("P2");
    expect(r.regionCode).toBe("63");
    expect(r.municipality?.name).toBe("Сызрань");
    expect(r.queue.key).toMatch(/syzran/);
    expect(r.consent?.textVersion).toBe(CONSENT_VERSION);
    expect(r.consent?.channel).toBe("max");
    expect(r.consent?.userId).toBe("7001");
    expect(r.contactPhone).toBe("+79991234567");

    // Every press answered; only the newest message still carries buttons.
    const callbacks = h.api.answers.length;
    expect(callbacks).toBe(7);
    const withButtons = f.messages().filter((m) => m.attachments.length > 0);
    expect(withButtons.map((m) => m.mid)).toEqual([f.messages().at(-1)?.mid]);
    const conv = await world.db.conversation.findUnique({
      where: { channel_chatId: { channel: "max", chatId: "8001" } },
    });
    expect(JSON.parse(conv?.channelData ?? "{}").questionMid).toBe(f.messages().at(-1)?.mid);

    // Logs carry ids and types, never what the family wrote or shared.
    const logged = captured.text();
    expect(logged).toContain('"channel":"max"');
    for (const secret of ["79991234567", "Мария", "Иванова", "ссоры", "VCARD", TOKEN])
      expect(logged).not.toContain(secret);
  });

  it("P0: emergency numbers at once, from the category choice and from the SOS button", async () => {
    const h = await world.start(mode);
    const f = new Family(h, { userId: 7002, chatId: 8002 });
    await f.start();
    await f.press("c:suicide_crisis");
    expect(f.lastTexts(3)).toContain("112");
    expect(f.lastTexts(3)).toContain("8-800-2000-122");
    const before = f.messages().length;
    await f.press("sos");
    expect(f.messages().length).toBeGreaterThan(before);
    expect(f.lastTexts(f.messages().length - before)).toContain("112");
    // Red flags in free text are screened too.
    await f.say("он сказал что убьёт меня");
    expect(f.lastTexts(3)).toContain("112");
  });

  it("declined consent: public contacts, nothing personal stored", async () => {
    const h = await world.start(mode);
    const f = new Family(h, { userId: 7003, chatId: 8003 });
    await toConsent(f);
    await f.press("decline");
    expect(f.lastTexts(4)).toContain("+7 000 000-63-01");
    expect(await world.db.request.count()).toBe(0);
    const consent = await world.db.consentRecord.findMany();
    expect(consent.filter((c) => c.decision === "given")).toEqual([]);
  });

  it("a stale button press changes nothing and is still answered", async () => {
    const h = await world.start(mode);
    const f = new Family(h, { userId: 7004, chatId: 8004 });
    await f.start();
    const firstQuestion = f.find("c:violence").message;
    await f.press("c:child_danger");
    const state = async () =>
      (
        await world.db.conversation.findUnique({
          where: { channel_chatId: { channel: "max", chatId: "8004" } },
        })
      )?.state;
    const before = await state();
    // A press on the first (already answered) keyboard, as a slow client could still send.
    const stale = h.api.callback(f.user, firstQuestion, "1.c:violence", "cb-stale");
    await f.send(stale);
    expect(h.api.answers.some((a) => a.callbackId === "cb-stale")).toBe(true);
    expect(JSON.parse((await state()) ?? "{}").answers?.categories).toEqual(
      JSON.parse(before ?? "{}").answers?.categories,
    );
  });

  it("another person's contact is not taken as the family's phone without confirmation", async () => {
    const h = await world.start(mode);
    const f = new Family(h, { userId: 7005, chatId: 8005 });
    await toConsent(f);
    await giveConsent(f);
    await f.share({ phone: "79161112233", ownerUserId: 9999 });
    expect(f.messages().at(-1)?.text).toContain("+79161112233");
    expect(() => f.find("use")).not.toThrow();
    await f.press("other");
    await f.say("8 (999) 765-43-21");
    await f.press("submit");
    const r = await world.db.request.findFirstOrThrow();
    expect(r.contactPhone).toBe("+79997654321");
  });

  it("duplicated deliveries (same mid, same callback_id) are applied once", async () => {
    const h = await world.start(mode);
    const f = new Family(h, { userId: 7006, chatId: 8006 });
    const start = h.api.botStarted(f.user, "63");
    await f.send(start);
    const afterStart = f.messages().length;
    await f.send(start);
    expect(f.messages().length).toBe(afterStart);
    const press = await f.press("c:violence", "cb-twice");
    const afterPress = f.messages().length;
    await f.send(press);
    expect(f.messages().length).toBe(afterPress);
    // MAX may deliver a press again: answered once (a second answer of the same press would be refused).
    expect(h.api.answers.filter((a) => a.callbackId === "cb-twice")).toHaveLength(1);
    const text = h.api.textMessage(f.user, "нет сил, устала");
    await f.send(text);
    const afterText = f.messages().length;
    await f.send(text);
    expect(f.messages().length).toBe(afterText);
    expect(await world.db.processedUpdate.count({ where: { channel: "max" } })).toBe(3);
  });

  it("429 and 500 from MAX are retried and the dialog goes on", async () => {
    const h = await world.start(mode);
    const f = new Family(h, { userId: 7007, chatId: 8007 });
    h.api.failNext({ status: 429, times: 2, match: "POST /messages" });
    await f.start();
    // «Несколько тем» edits the question in place through the callback answer: that call is retried.
    h.api.failNext({ status: 500, times: 1, match: "POST /answers" });
    await f.press("multi");
    await f.press("c:housing");
    const statuses = h.api.calls.filter((c) => c.method === "POST").map((c) => `${c.path} ${c.status}`);
    expect(statuses.filter((s) => s === "/messages 429")).toHaveLength(2);
    expect(statuses).toContain("/answers 500");
    expect(statuses).toContain("/answers 200");
    expect(f.messages().at(-1)?.text).toMatch(/Что сейчас происходит/);
    expect(f.find("done").button.text).toMatch(/1/);
  });
});
