// A center's notice of a new P0 request is urgent all the way: the outbox worker takes it first and
// the bot's outbound limiter starts it before ordinary traffic already waiting (families' replies,
// other notices), so a saturated bot does not keep operators from an urgent family.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Api } from "grammy";
import { sharedOutboundLimiter } from "../../src/channels/outbound-limiter.ts";
import { limitTelegramApi } from "../../src/channels/telegram/telegram-throttle.ts";
import { categoryLabelFor } from "../../src/handoff/center-notifications.ts";
import { enqueueNewRequestNotices } from "../helpers/new-request-notices.ts";
import { createTelegramOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { createOutboxWorker, enqueueDelivery } from "../../src/outbox/outbox.ts";
import { routedDbPerTest } from "../dialog/db-fixture.ts";
import { type FakeTelegramApi, startFakeTelegramApi } from "../fakes/fake-telegram-api.ts";

const i18n = createI18n();
const log = createLogger({ level: "silent" });
const deps = { i18n, publicBaseUrl: "https://opora.example", categoryLabel: categoryLabelFor(i18n) };
const OPERATORS_CHAT = "-100500";
const PER_SECOND = 4;

const tmp = routedDbPerTest({ operatorsChat: OPERATORS_CHAT });
let api: FakeTelegramApi;

beforeEach(async () => {
  api = await startFakeTelegramApi();
  api.addChat(OPERATORS_CHAT);
  for (let i = 1; i <= 20; i++) api.addChat(1000 + i);
});
afterEach(async () => {
  await api.close();
});

async function createRequest(number: string, urgency: "P0" | "P2") {
  const now = new Date();
  return tmp.db.$transaction(async (tx) => {
    const req = await tx.request.create({
      data: {
        number,
        channel: "telegram",
        categories: JSON.stringify(["violence"]),
        urgency,
        regionCode: "63",
        queueId: tmp.ids.samaraQueueId,
        routingReason: "region_default",
        routingExplanation: "test",
        dueAt: new Date(now.getTime() + 3_600_000),
      },
    });
    await enqueueNewRequestNotices(tx, deps, req.id, now);
    return req;
  });
}

describe("a P0 request's notice to the operators' chat", () => {
  it("is an urgent outbox row (an ordinary request's is not)", async () => {
    await createRequest("63-00011", "P2");
    await createRequest("63-00012", "P0");
    const rows = await tmp.db.outbox.findMany({ orderBy: { id: "asc" }, select: { kind: true } });
    expect(rows.map((r) => r.kind)).toEqual(["center_new_request", "center_new_request_p0"]);
  });

  it("goes out before ordinary traffic under a saturated limiter", async () => {
    // The bot's one limiter, at a low overall rate so traffic queues (created first, every sender shares it).
    sharedOutboundLimiter({ token: api.token, apiRoot: api.apiRoot }, { perSecond: PER_SECOND, perChat: { perSecond: 100, burst: 100 }, perGroupPerMinute: 20 });
    const sender = createTelegramOutboxSender({ token: api.token, apiRoot: api.apiRoot });
    // Families' replies already waiting for the bot's budget (dialog replies rank above notices).
    const replies = new Api(api.token, { apiRoot: api.apiRoot });
    limitTelegramApi(replies, { token: api.token, apiRoot: api.apiRoot }, undefined, "reply");
    const ordinary = Array.from({ length: 12 }, (_, i) => replies.sendMessage(String(1001 + i), `ordinary ${i + 1}`));
    await api.waitFor(() => api.callsOf("sendMessage").length >= PER_SECOND, 5000, "the first window");
    // Ordinary notices in the outbox, older than the P0 request.
    for (let i = 13; i <= 16; i++) {
      await enqueueDelivery(tmp.db, { idempotencyKey: `status:${i}`, kind: "family_status", channel: "telegram", target: String(1000 + i), payload: { text: `ordinary ${i}` } }, new Date());
    }
    const p0 = await createRequest("63-00012", "P0");
    const worker = createOutboxWorker({ db: tmp.db, log, senders: { telegram: sender }, clock: () => new Date(), batchSize: 50 });
    await worker.runOnce();
    await Promise.all(ordinary);
    const order = api.sent.map((m) => (m.chat_id === OPERATORS_CHAT ? "P0" : m.text));
    expect(order).toHaveLength(17);
    // Only what had started before the notice existed went ahead of it.
    expect(order.indexOf("P0"), order.join(", ")).toBeLessThanOrEqual(PER_SECOND);
    const notice = api.sent.find((m) => m.chat_id === OPERATORS_CHAT);
    expect(notice?.text).toContain(p0.number);
    expect(await tmp.db.outbox.count({ where: { status: "sent" } })).toBe(5);
  });
});
