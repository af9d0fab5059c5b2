// Relay in both directions in MAX: after the triage the family's messages join their request's
// transcript; an operator's reply from the web view reaches the family's MAX chat via the outbox.
import { describe, expect, it, vi } from "vitest";
import { createFamilyMessenger } from "../../src/handoff/family-messages.ts";
import { createMaxOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { relayToFamily } from "../../src/requests/request-actions.ts";
import { Family, i18n, log, TOKEN } from "../max/harness.ts";
import { maxWorld, toSummary } from "../max/max-world.ts";

const world = maxWorld();

describe("relay through MAX", () => {
  it("attaches the family's later messages to the request and delivers the operator's reply", async () => {
    const h = await world.start("polling");
    const f = new Family(h, { userId: 7001, chatId: 8001, locale: "ru" });
    await toSummary(f, "Сын-подросток не слушается");
    // «Пишите здесь, вечером», from the summary.
    await f.press("e:contact");
    await f.press("message");
    await f.press("evening");
    await f.press("submit");
    const req = await world.db.request.findFirstOrThrow();

    await f.say("Лучше пишите после 19:00");
    const fromFamily = await world.db.transcriptMessage.findMany({ where: { requestId: req.id, direction: "in" } });
    expect(fromFamily.map((m) => m.text)).toContain("Лучше пишите после 19:00");

    const staff = await world.db.staffUser.create({ data: { email: "op@x", passwordHash: "x", name: "Оператор", role: "operator" } });
    const family = createFamilyMessenger({ i18n });
    expect(await relayToFamily(world.db, family, req.id, "Здравствуйте, Мария! Напишу в 19:30.", staff, new Date())).toEqual({ type: "ok" });
    const worker = createOutboxWorker({ db: world.db, log, senders: { max: createMaxOutboxSender({ token: TOKEN, baseUrl: h.api.baseUrl }) }, clock: () => new Date() });
    // The reply waits in the chat's queue behind the acknowledgement until that one is marked
    // delivered (the channel does so in a batch moments later): a pass or two of the worker.
    await vi.waitFor(
      async () => {
        await worker.runOnce();
        const last = h.api.messagesTo(8001).at(-1);
        expect(last?.text).toMatch(/^Специалист — .+: Здравствуйте, Мария! Напишу в 19:30\.$/);
      },
      { timeout: 10_000, interval: 100 },
    );
    expect(h.api.messagesTo(8001).filter((m) => m.text?.includes("Здравствуйте, Мария"))).toHaveLength(1);
  }, 60_000);
});
