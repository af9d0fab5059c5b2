// Quick exit for a shared phone (issue 12), MAX: `/hide` or the menu's «Скрыть переписку» says what
// stays and asks once; «Скрыть сейчас» turns the prompt into one neutral line and deletes the bot's
// other messages — all MAX lets a bot delete in a dialog — within its two deletions a second per
// chat, through the fake that enforces both rules. The request and the dialog state stay.
import { describe, expect, it } from "vitest";
import { HIDE_CANCEL, HIDE_CONFIRM } from "../../src/channels/max/max-updates.ts";
import { createMaxOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { rememberingSent } from "../../src/outbox/reply-delivery.ts";
import { Family, type Harness, i18n, TOKEN } from "./harness.ts";
import { maxWorld, toSummary } from "./max-world.ts";

const tmp = maxWorld({ consentVersion: "hide-test", operatorName: "Opora test operator" });
let h: Harness | undefined;

async function start() {
  h = await tmp.start("polling");
  return new Family(h, { userId: 7301, chatId: 8301, locale: "ru" });
}

const conversation = () => tmp.db.conversation.findFirstOrThrow({ where: { channel: "max", chatId: "8301" } });

describe("MAX quick exit (/hide)", () => {
  it("deletes every bot message it knows, paced, leaves the prompt as one neutral line, keeps the request and the dialog", async () => {
    const f = await start();
    // A whole request first (as in max-e2e.test.ts).
    await toSummary(f, "Сын-подросток не слушается, постоянные ссоры дома");
    await f.press("submit");
    expect(f.messages().at(-1)?.text ?? "").toMatch(/63-\d{5}/);
    // An operator's reply sent by the outbox worker (not through the dialog) is hidden too.
    const operatorSender = rememberingSent(createMaxOutboxSender({ token: TOKEN, baseUrl: h!.api.baseUrl }), h!.channel);
    expect(await operatorSender({ kind: "family.reply", target: "8301", payload: { text: "Специалист — Анна: перезвоню вечером" } })).toMatchObject({ type: "sent" });
    const sentBefore = f.messages().map((m) => m.mid);
    expect(f.messages().at(-1)?.text).toContain("перезвоню вечером");
    expect(sentBefore.length).toBeGreaterThanOrEqual(3);
    const requestsBefore = await tmp.db.request.findMany();
    expect(requestsBefore).toHaveLength(1);
    const before = await conversation();

    await f.say("/hide");
    const prompt = f.messages().at(-1)!;
    expect(prompt.text).toBe(i18n.t("ru", "max-hide-ask"));
    expect(h!.api.deletedMids).toHaveLength(0); // asking deletes nothing
    await f.press(HIDE_CONFIRM);

    // Only the neutral line is left of the bot's side, at the bottom of the chat, without buttons.
    const left = f.messages();
    expect(left.map((m) => m.mid)).toEqual([prompt.mid]);
    expect(left[0]?.text).toBe(i18n.t("ru", "max-hide-neutral"));
    expect(left[0]?.attachments).toEqual([]);
    expect(h!.api.deletedMids).toEqual([...sentBefore].reverse());
    // Within MAX's limits: never the person's messages, never faster than two a second.
    const deletes = h!.api.callsTo("DELETE", "/messages");
    expect(deletes.every((c) => c.status === 200)).toBe(true);
    expect(deletes.some((c) => c.query.message_id?.startsWith("mid.in."))).toBe(false);
    // Nothing else changed.
    expect(await tmp.db.request.findMany()).toEqual(requestsBefore);
    const after = await conversation();
    expect(after.state).toBe(before.state);
    expect(JSON.parse(after.channelData).questionMid).toBeUndefined();
    // The phone whole: a remembered message's time (ms) may hold "7999" by chance.
    expect(after.channelData).not.toMatch(/ссоры|Мария|79991234567/);

    // The conversation goes on where it was.
    await f.say("/status");
    expect(f.messages().length).toBeGreaterThan(1);
  }, 60_000);

  it("the menu offers it; «not now» removes only the prompt", async () => {
    const f = await start();
    await f.start("63");
    const question = f.messages().at(-1)!;
    await f.say("/menu");
    expect(h!.api.buttonsOf(f.messages().at(-1)).map((b) => b.text)).toContain(i18n.t("ru", "max-menu-hide"));
    await f.press("max:menu:hide");
    const prompt = f.messages().at(-1)!;
    expect(h!.api.buttonsOf(prompt).map((b) => b.payload)).toEqual([HIDE_CONFIRM, HIDE_CANCEL]);
    await f.press(HIDE_CANCEL);
    expect(h!.api.deletedMids).toEqual([prompt.mid]);
    expect(f.messages().map((m) => m.mid)).toContain(question.mid);
  });

  it("the fake refuses what MAX refuses: the person's message, a third deletion within a second", async () => {
    const f = await start();
    await f.start("63");
    await f.say("/status");
    await f.say("/status");
    const mids = f.messages().map((m) => m.mid);
    expect(mids.length).toBeGreaterThanOrEqual(3);
    const del = (mid: string) => fetch(`${h!.api.baseUrl}messages?message_id=${encodeURIComponent(mid)}`, { method: "DELETE", headers: { authorization: "max-test-token" } });
    expect((await del("mid.in.8301.1")).status).toBe(400);
    const [a, b, c] = await Promise.all([del(mids[0]!), del(mids[1]!), del(mids[2]!)]);
    expect([a!.status, b!.status, c!.status].sort()).toEqual([200, 200, 429]);
  });
});
