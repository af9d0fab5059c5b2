// The handoff loop in MAX: /link in an operators' chat gives a one-time code, the notice of a new
// request reaches that chat through the outbox (no personal data), and a linked operator takes the
// request with the button under it.
import { afterEach, describe, expect, it } from "vitest";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { categoryLabelFor } from "../../src/handoff/center-notifications.ts";
import { enqueueNewRequestNotices } from "../helpers/new-request-notices.ts";
import { issueStaffAccountCode, linkCenterChat } from "../../src/handoff/linking.ts";
import { createMaxOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { type Harness, log, startHarness, TOKEN, waitFor } from "../max/harness.ts";
import { makeRequest, seedWorld } from "../web/helpers.ts";

const i18n = createI18n();
let temp: TempDb | undefined;
let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  await temp?.cleanup();
  h = undefined;
  temp = undefined;
});

const silentService: DialogService = { handle: async () => ({ type: "handled", replies: [] }) };
const GROUP_ID = -777;
const OPERATOR = { userId: 5005, chatId: 5005, firstName: "Оператор", locale: "ru" };

function groupMessage(api: Harness["api"], text: string) {
  const timestamp = api.nextTimestamp();
  return {
    update_type: "message_created",
    timestamp,
    message: {
      sender: api.userOf(OPERATOR),
      recipient: { chat_id: GROUP_ID, chat_type: "chat" },
      timestamp,
      body: { mid: `mid.group.${timestamp}`, seq: 1, text, attachments: null },
    },
    user_locale: "ru",
  };
}

describe("operators' chat in MAX", () => {
  it("links the chat with a code, posts the notice, and lets only a linked member take the request", async () => {
    temp = await createTempDb();
    const w = await seedWorld(temp.db);
    h = await startHarness({ service: silentService, db: temp.db, mode: "polling" });
    const api = h.api;

    await h.deliver(groupMessage(api, "/link"));
    await h.settle();
    const codeMessage = await waitFor(() => api.messagesTo(GROUP_ID)[0]);
    const code = /: ([A-Z2-9]{8})\./.exec(codeMessage.text)?.[1];
    expect(code).toBeTruthy();
    const center = await temp.db.center.findUniqueOrThrow({ where: { key: "samara-deti-v-seme" } });
    const linked = await linkCenterChat(temp.db, { code: code!, centerId: center.id, actorId: w.ids.admin63, now: new Date() });
    expect(linked).toEqual({ type: "ok", value: { channel: "max", chatId: String(GROUP_ID) } });

    const req = await makeRequest(temp.db, { queueId: w.queues.samara, regionCode: "63", urgency: "P0" });
    await temp.db.$transaction((tx) =>
      enqueueNewRequestNotices(tx, { i18n, publicBaseUrl: "https://opora.example", categoryLabel: categoryLabelFor(i18n) }, req.id, new Date()),
    );
    const worker = createOutboxWorker({ db: temp.db, log, senders: { max: createMaxOutboxSender({ token: TOKEN, baseUrl: api.baseUrl }) }, clock: () => new Date() });
    await worker.runOnce();
    const notice = api.messagesTo(GROUP_ID).find((m) => m.text.includes(req.number));
    expect(notice).toBeTruthy();
    expect(notice!.text).not.toContain("Мария");
    expect(notice!.text).not.toContain("79990000000");
    const take = api.buttonsOf(notice).find((b) => b.payload === `take:${req.number}`);
    expect(take).toBeTruthy();

    const pressTake = async () => {
      const before = api.answers.length;
      await h!.deliver(api.callback(OPERATOR, notice!, `take:${req.number}`));
      await h!.settle();
      await waitFor(() => api.answers.length > before);
      return JSON.stringify(api.answers.at(-1)!.body);
    };
    expect(await pressTake()).toContain("привяжите");
    expect((await temp.db.request.findUniqueOrThrow({ where: { id: req.id } })).assigneeId).toBeNull();

    const staffCode = await issueStaffAccountCode(temp.db, w.ids.opSamara, "max", new Date());
    await h.deliver(api.textMessage(OPERATOR, `/link ${staffCode}`));
    await h.settle();
    await waitFor(() => api.messagesTo(OPERATOR.chatId).find((m) => m.text.startsWith("Готово")));

    expect(await pressTake()).toContain("Заявка ваша");
    expect((await temp.db.request.findUniqueOrThrow({ where: { id: req.id } })).assigneeId).toBe(w.ids.opSamara);
    // The result is also a message in the operators' chat (a toast may not show).
    const posted = await waitFor(() => api.messagesTo(GROUP_ID).find((m) => m.text.includes(`Заявку ${req.number} взял(а)`)));
    expect(posted.text).not.toContain("79990000000");
    expect(api.messagesTo(GROUP_ID).some((m) => m.text.includes("привяжите MAX"))).toBe(true);
  }, 60_000);
});
