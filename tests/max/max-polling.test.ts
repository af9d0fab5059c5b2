// MAX polling owned by the project: the marker lives in the database and moves only after a batch
// is journaled. The fake answers a poll without a marker with only the latest update, as the real
// API does, so the library's loop (which restarts without its marker after an error, and every
// new process starts without one) lost the earlier update; these tests failed with it.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMaxChannel, type MaxChannel } from "../../src/channels/max/max-channel.ts";
import type { DialogService } from "../../src/dialog/service-types.ts";
import { type FakeMaxApi, type FakeUser, startFakeMaxApi } from "../fakes/fake-max-api.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { i18n, log, TOKEN, waitFor } from "./harness.ts";

const seen = new Set<string>();
const service: DialogService = {
  async handle(ctx) {
    if (seen.has(ctx.updateKey)) return { type: "duplicate" };
    seen.add(ctx.updateKey);
    return { type: "handled", replies: [{ type: "text", text: "Мы получили ваше сообщение." }] };
  },
};

let api: FakeMaxApi;
let tmp: TempDb;
const channels: MaxChannel[] = [];
beforeEach(async () => {
  seen.clear();
  api = await startFakeMaxApi({ token: TOKEN });
  tmp = await createTempDb();
});
afterEach(async () => {
  for (const c of channels.splice(0)) await c.stop();
  await api.close();
  await tmp.cleanup();
});

async function startChannel() {
  const channel = createMaxChannel({
    token: TOKEN,
    baseUrl: api.baseUrl,
    service,
    db: tmp.db,
    log,
    i18n,
    mode: { type: "polling" },
    setCommands: false,
    menuRow: false,
    polling: { timeoutSeconds: 1, minRetryMs: 50, maxRetryMs: 100 },
    outbound: { minRetryDelayMs: 5, maxRetryDelayMs: 20, ratePerSecond: 1000, maxConcurrent: 10 },
  });
  channels.push(channel);
  await channel.start();
  return channel;
}

const anna: FakeUser = { userId: 11, chatId: 111 };
const olga: FakeUser = { userId: 22, chatId: 222 };
const answered = (u: FakeUser) => api.messagesTo(u.chatId).length > 0;

describe("MAX polling with the stored marker", () => {
  it("a poll error never loses an update: the loop asks again with the same marker", async () => {
    await startChannel();
    api.pushUpdate(api.textMessage({ userId: 1, chatId: 1 }, "первое"));
    await waitFor(() => answered({ userId: 1, chatId: 1 }), 8000, "first answer");
    api.failNext({ status: 400, code: "proto.payload", times: 3, match: "GET /updates" });
    await waitFor(() => api.callsTo("GET", "/updates").some((c) => c.status === 400), 8000, "a failed poll");
    // Two parents write while polling fails.
    api.pushUpdate(api.textMessage(anna, "помогите"));
    api.pushUpdate(api.textMessage(olga, "нужна помощь"));
    await waitFor(() => answered(anna) && answered(olga), 8000, "both parents answered");
    expect(api.lostUpdates).toBe(0);
    // Only the very first poll of a new bot goes without a marker (to get one, before anyone writes).
    const polls = api.callsTo("GET", "/updates");
    expect(polls[0]?.query.marker).toBeUndefined();
    expect(polls.slice(1).every((c) => c.query.marker !== undefined)).toBe(true);
  });

  it("a restart resumes at the marker stored in the database", async () => {
    const first = await startChannel();
    api.pushUpdate(api.textMessage({ userId: 1, chatId: 1 }, "первое"));
    await waitFor(() => answered({ userId: 1, chatId: 1 }), 8000, "first answer");
    await first.stop();
    const stored = await tmp.db.pollCursor.findUnique({ where: { channel: "max" } });
    expect(stored?.position).toMatch(/^\d+$/);
    // Two parents write while the service is down.
    api.pushUpdate(api.textMessage(anna, "помогите"));
    api.pushUpdate(api.textMessage(olga, "нужна помощь"));
    await startChannel();
    await waitFor(() => answered(anna) && answered(olga), 8000, "both parents answered after the restart");
    expect(api.lostUpdates).toBe(0);
  });

  it("the fake behaves like MAX: without a marker only the latest update comes", async () => {
    api.pushUpdate(api.textMessage(anna, "1"));
    api.pushUpdate(api.textMessage(olga, "2"));
    const res = await fetch(`${api.baseUrl}updates?timeout=0`, { headers: { authorization: TOKEN } });
    const body = (await res.json()) as { updates: { message: { recipient: { chat_id: number } } }[] };
    expect(body.updates.map((u) => u.message.recipient.chat_id)).toEqual([olga.chatId]);
    expect(api.lostUpdates).toBe(1);
    const bad = await fetch(`${api.baseUrl}updates?timeout=0&types=message_created,no_such`, { headers: { authorization: TOKEN } });
    expect(bad.status).toBe(400);
  });
});
