// Crash safety of the MAX channel: an update is journaled before MAX is told we have it (the
// polling marker moving past it, a webhook's 200) and applied by the next process if this one dies.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMaxChannel, type MaxChannel } from "../../src/channels/max/max-channel.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { type FakeMaxApi, type FakeUser, startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, startHarness, TOKEN, waitFor } from "./harness.ts";

let tmp: TempDb;
let api: FakeMaxApi | undefined;
let real: DialogService;
const parent: FakeUser = { userId: 7001, chatId: 8001, locale: "ru" };

beforeEach(async () => {
  tmp = await createTempDb();
  await loadDemoRoutingIfEmpty(tmp.db, log);
  real = createDialogService({
    db: tmp.db,
    log,
    i18n,
    clock: () => new Date(),
    config: { consentVersion: "test-1", publicBaseUrl: "https://opora.example", operatorName: "Opora test operator" },
  });
});
afterEach(async () => {
  await api?.close();
  api = undefined;
  await tmp.cleanup();
});

const channelOn = (fake: FakeMaxApi, service: DialogService): MaxChannel =>
  createMaxChannel({
    token: TOKEN,
    baseUrl: fake.baseUrl,
    service,
    db: tmp.db,
    log,
    i18n,
    mode: { type: "polling" },
    outbound: { minRetryDelayMs: 20, maxRetryDelayMs: 100, ratePerSecond: 1000, maxConcurrent: 20 },
  });

describe("MAX inbound journal", () => {
  it("polling: an update acknowledged to MAX by a process that then died is applied at the next start", async () => {
    api = await startFakeMaxApi({ token: TOKEN, defaultPollTimeoutMs: 200 });
    let unblock!: () => void;
    const stuck = new Promise<void>((resolve) => {
      unblock = resolve;
    });
    const seen: string[] = [];
    const dying = channelOn(api, { handle: () => stuck.then(() => ({ type: "duplicate" }) as const) });
    await dying.start();
    api.pushUpdate(api.botStarted(parent, "63"));
    // The library polled past it: MAX will not deliver it again…
    await waitFor(() => api!.pendingUpdates === 0, 5000, "update acknowledged");
    const stopping = dying.stop(); // polling ends; the stuck update never finishes in this process
    // …but it is in the journal.
    expect(await tmp.db.inboundUpdate.count()).toBe(1);

    const next = channelOn(api, {
      handle: (ctx, event) => {
        seen.push(event.type);
        return real.handle(ctx, event);
      },
    });
    await next.start();
    await waitFor(() => api!.messagesTo(parent.chatId).length > 0, 5000, "the replayed start answered");
    await next.idle();
    expect(seen).toEqual(["start"]);
    expect(await tmp.db.conversation.count()).toBe(1);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
    await next.stop();
    unblock();
    await stopping;
  });

  it("webhook: an update that cannot be stored gets 503, so MAX sends it again; stored, it is applied", async () => {
    const h = await startHarness({ service: real, db: tmp.db, mode: "webhook" });
    try {
      const update = h.api.botStarted(parent, "63");
      await tmp.db.$executeRawUnsafe('ALTER TABLE "InboundUpdate" RENAME TO "InboundUpdateGone"');
      await expect(h.deliver(update)).rejects.toThrow("webhook answered 503");
      await h.settle();
      expect(await tmp.db.conversation.count()).toBe(0);
      await tmp.db.$executeRawUnsafe('ALTER TABLE "InboundUpdateGone" RENAME TO "InboundUpdate"');
      await h.deliver(update);
      await h.settle();
      expect(await tmp.db.conversation.count()).toBe(1);
      expect(h.api.messagesTo(parent.chatId).length).toBeGreaterThan(0);
      expect(await tmp.db.inboundUpdate.count()).toBe(0);
    } finally {
      await h.close();
    }
  });
});
