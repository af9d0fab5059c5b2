import { afterEach, describe, expect, it } from "vitest";
import { createMaxOutboxSender, createTelegramOutboxSender } from "../../src/handoff/outbox-senders.ts";
import { startFakeMaxApi, type FakeMaxApi } from "../fakes/fake-max-api.ts";
import { startFakeTelegramApi, type FakeTelegramApi } from "../fakes/fake-telegram-api.ts";

let tg: FakeTelegramApi | undefined;
let max: FakeMaxApi | undefined;
afterEach(async () => {
  await tg?.close();
  await max?.close();
  tg = undefined;
  max = undefined;
});

const payload = { text: "Новое обращение № 63-00001", take: { label: "Взять себе", data: "take:63-00001" } };

describe("outbox senders", () => {
  it("posts to a Telegram group with a Take button and maps 429, 500 and 403", async () => {
    tg = await startFakeTelegramApi({ token: "1:T" });
    tg.addChat("-1001"); // the operators' group the bot was added to (the fake refuses unknown chats)
    const send = createTelegramOutboxSender({ token: "1:T", apiRoot: tg.apiRoot });
    expect(await send({ kind: "center_new_request", target: "-1001", payload })).toEqual({ type: "sent" });
    const sent = tg.sentTo("-1001");
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toBe(payload.text);
    expect(JSON.stringify(sent[0]!.reply_markup)).toContain("take:63-00001");

    tg.failNext("sendMessage", 1, { code: 429, retryAfter: 7 });
    expect(await send({ kind: "x", target: "-1001", payload })).toEqual({ type: "retry", code: "HTTP_429", retryAfterMs: 7000 });
    tg.failNext("sendMessage", 1, { code: 500 });
    expect(await send({ kind: "x", target: "-1001", payload })).toMatchObject({ type: "retry", code: "HTTP_500" });
    tg.failNext("sendMessage", 1, { code: 403 });
    expect(await send({ kind: "x", target: "-1001", payload })).toEqual({ type: "blocked", code: "HTTP_403" });
    expect(await send({ kind: "x", target: "-1001", payload: { nope: 1 } })).toEqual({ type: "failed", code: "BAD_PAYLOAD" });
  });

  it("posts to a MAX chat with a callback button and maps 429 and 500 to retries", async () => {
    max = await startFakeMaxApi({ token: "M" });
    const send = createMaxOutboxSender({ token: "M", baseUrl: max.baseUrl });
    // The sent message's mid comes back (a family's chat keeps it for /hide).
    expect(await send({ kind: "center_new_request", target: "555", payload })).toEqual({ type: "sent", refs: [expect.stringMatching(/^mid\./)] });
    const posted = max.calls.filter((c) => c.method === "POST" && c.path.startsWith("/messages"));
    expect(posted).toHaveLength(1);
    expect(JSON.stringify(posted[0])).toContain("take:63-00001");
    max.failNext({ status: 429, times: 1, match: "POST /messages" });
    expect(await send({ kind: "x", target: "555", payload })).toMatchObject({ type: "retry", code: "HTTP_429" });
    max.failNext({ status: 503, times: 1, match: "POST /messages" });
    expect(await send({ kind: "x", target: "555", payload })).toMatchObject({ type: "retry", code: "HTTP_503" });
  });

  it("writes to a MAX user's dialog when the target is user:<id> (a staff member's linked account)", async () => {
    max = await startFakeMaxApi({ token: "M" });
    const send = createMaxOutboxSender({ token: "M", baseUrl: max.baseUrl });
    expect(await send({ kind: "admin_p0_moved", target: "user:4242", payload: { text: "P0 № 72-00001 переведена" } })).toEqual({ type: "sent" });
    const posted = max.calls.filter((c) => c.method === "POST" && c.path === "/messages");
    expect(posted.map((c) => [c.query.user_id, c.query.chat_id])).toEqual([["4242", undefined]]);
    expect(await send({ kind: "x", target: "user:abc", payload: { text: "x" } })).toEqual({ type: "failed", code: "BAD_TARGET" });
  });
});

