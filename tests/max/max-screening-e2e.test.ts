// Issue 11: every piece of free text is screened in MAX too — text sent with a photo, edited
// messages (`message_edited`), the family's messages after the request exists — end to end through
// the real channel and dialog service over the fake MAX API, in polling and webhook mode.
import { describe, expect, it } from "vitest";
import { parseUrgencyReasons } from "../../src/dialog/urgency-reasons.ts";
import { Family, type Harness, SECRET, waitFor } from "./harness.ts";
import { maxWorld } from "./max-world.ts";

const SERIOUS = "звучит очень серьёзно";

const tmp = maxWorld();
let h: Harness | undefined;

async function family(mode: "polling" | "webhook", n: number): Promise<Family> {
  h = await tmp.start(mode);
  return new Family(h, { userId: 7100 + n, chatId: 8100 + n, locale: "ru" });
}

const stateOf = async (f: Family) =>
  JSON.parse((await tmp.db.conversation.findFirstOrThrow({ where: { channel: "max", chatId: String(f.user.chatId) } })).state) as { step: string; urgent: boolean };

/** Texts of the bot's messages after the first `from` ones. */
const since = (f: Family, from: number) =>
  f
    .messages()
    .slice(from)
    .map((m) => m.text)
    .join("\n---\n");

async function toConsent(f: Family) {
  await f.start("63");
  await f.press("more");
  await f.press("c:family_conflict");
  await f.press("no");
  await f.press(/^Сызрань$/);
}

async function sendRequest(f: Family) {
  await toConsent(f);
  await f.press("give");
  await f.say("Сын-подросток не слушается, постоянные ссоры дома");
  await f.share({ phone: "79991234567" });
  await f.press("submit");
}

describe.each(["polling", "webhook"] as const)("MAX: every free text is screened (%s)", (mode) => {
  it("asks MAX for edited messages (polling types, webhook subscription)", async () => {
    if (mode === "polling") {
      h = await tmp.start(mode);
      await waitFor(() => h!.api.calls.find((c) => c.path === "/updates"), 8000, "a poll");
      expect(h.api.calls.find((c) => c.path === "/updates")?.query.types?.split(",")).toContain("message_edited");
    } else {
      h = await tmp.start(mode, { channel: { mode: { type: "webhook", secret: SECRET, url: "https://opora.example/webhooks/max" } } });
      await waitFor(() => h!.api.subscriptions.length > 0, 8000, "a subscription");
      expect(h.api.subscriptions[0]?.update_types).toContain("message_edited");
    }
  });

  it("a photo with «вот синяки, он опять бьёт ребёнка» under it: the numbers at once", async () => {
    const f = await family(mode, 1);
    await f.start();
    const from = f.messages().length;
    await f.send(f.api.imageWithCaption(f.user, "вот синяки, он опять бьёт ребёнка"));
    expect(since(f, from)).toContain("112");
    expect(since(f, from)).toContain(SERIOUS);
    expect((await stateOf(f)).urgent).toBe(true);
    expect(await tmp.db.transcriptMessage.count()).toBe(0); // nothing kept before consent
  });

  it("an edited message: a danger phrase shows the numbers; a harmless edit gets a short note", async () => {
    const f = await family(mode, 2);
    await f.start("63");
    await f.press("more");
    await f.press("c:family_conflict");
    const original = f.api.textMessage(f.user, "Нет");
    await f.send(original);
    expect((await stateOf(f)).step).toBe("municipality");
    let from = f.messages().length;
    // An edit of the answer just given is the new answer (issue 12.5).
    await f.send(f.api.editedMessage(f.user, original, "нет, всё хорошо"));
    expect(since(f, from)).toContain("беру новый ответ");
    expect((await stateOf(f)).step).toBe("municipality");
    from = f.messages().length;
    await f.send(f.api.editedMessage(f.user, original, "он сказал что убьёт меня"));
    expect(since(f, from)).toContain("112");
    expect((await stateOf(f)).urgent).toBe(true);
  });

  it("after the request: a photo caption and an edit re-raise it to P0 with their reasons", async () => {
    const f = await family(mode, 3);
    await sendRequest(f);
    const req = await tmp.db.request.findFirstOrThrow({ where: { channel: "max" } });
    expect(req.urgency).toBe("P2");
    let from = f.messages().length;
    await f.send(f.api.imageWithCaption(f.user, "вот синяки, он опять бьёт ребёнка"));
    expect(since(f, from)).toContain("112");
    const raised = await tmp.db.request.findFirstOrThrow({ where: { id: req.id } });
    expect(raised.urgency).toBe("P0");
    expect(JSON.parse(raised.flags)).toContain("danger_now");
    expect(parseUrgencyReasons(raised.urgencyReasons).some((r) => r.source === "phrase" && r.dangerNow)).toBe(true);

    const note = f.api.textMessage(f.user, "спасибо");
    await f.send(note);
    from = f.messages().length;
    await f.send(f.api.editedMessage(f.user, note, "он сказал что убьёт меня"));
    expect(since(f, from)).toContain("112");
    expect(await tmp.db.auditLog.count({ where: { action: "request.escalate_red_flag", requestId: req.id } })).toBe(2);
  });

  it("«помогите!» on the consent screen: the numbers, and the consent question stays", async () => {
    const f = await family(mode, 4);
    await toConsent(f);
    expect((await stateOf(f)).step).toBe("consent");
    const from = f.messages().length;
    await f.say("помогите!");
    expect(since(f, from)).toContain("112");
    expect(since(f, from)).not.toContain("не поняла");
    expect((await stateOf(f)).step).toBe("consent");
    // 🆘 is on the consent screen itself.
    expect(f.find("sos").message.text).toContain("Согласие");
  });
});
