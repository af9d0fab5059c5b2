// The whole handoff loop in Telegram: an operators' group is linked to a center with a one-time
// code, a family's new request is posted there (no personal data), an operator links their account
// and presses "Take", the web view shows the request as theirs, and the family hears it was taken.
import { describe, expect, it } from "vitest";
import { createFamilyMessenger } from "../../src/handoff/family-messages.ts";
import { createTelegramOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import type { FakeTelegramApi } from "../fakes/fake-telegram-api.ts";
import { createInbox, DEFAULT_SCRIPT, runFamily } from "../telegram/family-driver.ts";
import { i18n, log, telegramWorld } from "../telegram/telegram-world.ts";
import { Browser, buildAdminTestApp, seedWorld } from "../web/helpers.ts";

const world = telegramWorld({ demoRouting: false }); // seedWorld loads it, with the staff accounts

const GROUP = { id: -100123, type: "supergroup", title: "Операторы Самара" };
const OPERATOR = { id: 5005, first_name: "Оператор", language_code: "ru" };
const PARENT = { id: 9001, language_code: "ru" };
let cq = 0;
/** A button pressed under a message in the group (the fake's own helper builds private chats). */
function pressInGroup(messageId: number, data: string) {
  return {
    callback_query: {
      id: `group-cq-${++cq}`,
      from: { id: OPERATOR.id, is_bot: false, first_name: OPERATOR.first_name, language_code: "ru" },
      chat_instance: "group",
      data,
      message: { message_id: messageId, date: 1, chat: GROUP, text: "notice" },
    },
  } as unknown as Parameters<FakeTelegramApi["push"]>[0];
}

describe("operators' chat in Telegram", () => {
  it("links the group, posts the new request without personal data, and lets a linked operator take it", async () => {
    await seedWorld(world.db);
    const family = createFamilyMessenger({ i18n });
    const { api, channel } = await world.start({ channel: { family } });
    const web = await buildAdminTestApp({ db: world.db, family, clock: () => new Date() });

    // 1. /link in the group → a one-time code; the regional admin enters it on the centers page.
    api.push(api.message(OPERATOR, { chat: GROUP, text: "/link" }));
    await api.waitFor(() => api.sentTo(GROUP.id).length > 0);
    const code = /: ([A-Z2-9]{8})\./.exec(api.sentTo(GROUP.id)[0]!.text)?.[1];
    expect(code).toBeTruthy();
    const center = await world.db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
    const admin = new Browser(web);
    await admin.login("admin63@test.local");
    const wrong = await admin.postForm("/admin/63/centers/link-chat", { centerId: center.id, code: "WRONG234" }, "/admin/63/centers");
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain("Такого кода нет");
    const linked = await admin.postForm("/admin/63/centers/link-chat", { centerId: center.id, code: code! }, "/admin/63/centers");
    expect(linked.statusCode).toBe(303);
    expect((await world.db.center.findUniqueOrThrow({ where: { id: center.id } })).notifyTelegramChatId).toBe(String(GROUP.id));

    // 2. A family finishes the triage; the notice reaches the group through the outbox.
    const inbox = createInbox(api);
    const result = await runFamily({ api, inbox, user: PARENT, deliver: (u) => void api.push(u), script: { ...DEFAULT_SCRIPT, startPayload: "63" } });
    expect(result.outcome, JSON.stringify(result.trail)).toBe("done");
    await channel.idle();
    const req = await world.db.request.findFirstOrThrow();
    expect((await world.db.queue.findUniqueOrThrow({ where: { id: req.queueId } })).centerId).toBe(center.id);
    const worker = createOutboxWorker({ db: world.db, log, senders: { telegram: createTelegramOutboxSender({ token: api.token, apiRoot: api.apiRoot }) }, clock: () => new Date() });
    await worker.runOnce();
    const notice = api.sentTo(GROUP.id).find((m) => m.text.includes(req.number));
    expect(notice).toBeTruthy();
    for (const pd of [DEFAULT_SCRIPT.name, "79991234567", DEFAULT_SCRIPT.description]) expect(notice!.text).not.toContain(pd);
    expect(JSON.stringify(notice!.reply_markup)).toContain(`take:${req.number}`);

    // 3. "Take" by someone not linked is refused; the operator links their account and takes it.
    const answersBefore = api.callsOf("answerCallbackQuery").length;
    api.push(pressInGroup(notice!.message_id, `take:${req.number}`));
    await api.waitFor(() => api.callsOf("answerCallbackQuery").length > answersBefore);
    expect(JSON.stringify(api.callsOf("answerCallbackQuery").at(-1)!.payload)).toContain("привяжите");
    expect((await world.db.request.findUniqueOrThrow({ where: { id: req.id } })).assigneeId).toBeNull();

    const op = new Browser(web);
    await op.login("op63@test.local");
    const page = await op.postForm("/account/link-code", { channel: "telegram" }, "/account");
    const staffCode = /\/link ([A-Z2-9]{8})/.exec(page.body)?.[1];
    expect(staffCode).toBeTruthy();
    api.push(api.text(OPERATOR, `/link ${staffCode}`));
    await api.waitFor(() => api.sentTo(OPERATOR.id).some((m) => m.text.startsWith("Готово")));

    const answers2 = api.callsOf("answerCallbackQuery").length;
    api.push(pressInGroup(notice!.message_id, `take:${req.number}`));
    await api.waitFor(() => api.callsOf("answerCallbackQuery").length > answers2);
    const taken = await world.db.request.findUniqueOrThrow({ where: { id: req.id }, include: { assignee: true } });
    expect(taken.assignee?.email).toBe("op63@test.local");
    expect((await op.get(`/requests/${req.number}`)).body).toContain(taken.assignee!.name);

    // 4. The family is told, in their own chat.
    await worker.runOnce();
    expect(api.sentTo(PARENT.id).some((m) => m.text.includes(`№ ${req.number}`) && m.text.includes("взято в работу"))).toBe(true);
    await web.close();
  }, 60_000);
});
