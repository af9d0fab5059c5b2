// What went out of a step's replies is recorded as each message goes out, not only when the whole
// step is done: an instance killed between two messages of one step (the second waiting for its
// send budget, which takes about a second in a busy chat) or during the keyboard clean-up leaves
// the row saying so, and whoever takes it over sends only what is missing. Found by the chaos test
// (tests/cluster/chaos.test.ts): families got a step's first message twice after a kill.
import { describe, expect, it } from "vitest";
import { createOutboxWorker, REPLY_KIND } from "../../src/outbox/outbox.ts";
import { createReplyDelivery, type ReplyPayload, type ReplySend } from "../../src/outbox/reply-delivery.ts";
import { captureStatements, commitReply, inChat, log, recordingChannel, replyDbPerTest } from "./reply-fakes.ts";

const testDb = replyDbPerTest();
const payload: ReplyPayload = { replies: [{ type: "text", text: "one" }, { type: "text", text: "two" }, { type: "text", text: "three" }] };

/** The step's row, held for its fast path (20 s). */
const row = (db: ReturnType<typeof testDb>, now = new Date()) => commitReply(db, { updateKey: "u1", payload, urgent: false, holdMs: 20_000 }, now);

describe("a step's replies, recorded as they go out", () => {
  it("killed after the first of three messages: the next instance sends the other two only", async () => {
    const db = testDb();
    const id = await row(db);
    const out: string[] = [];
    const first = createReplyDelivery({ db, log, channel: "telegram", clock: () => new Date(), send: recordingChannel(out, { dieAfter: 1 }), inChat });
    void first.deliverNow("42", id, payload, "reply"); // dies after "one"
    await expect.poll(async () => JSON.parse((await db.outbox.findUniqueOrThrow({ where: { id } })).payload).sent, { timeout: 5_000 }).toBe(1);

    // The outbox worker of another instance takes the row over (after the hold) with what it holds.
    const stored = await db.outbox.findUniqueOrThrow({ where: { id } });
    const second = createReplyDelivery({ db, log, channel: "telegram", clock: () => new Date(), send: recordingChannel(out), inChat });
    const result = await second.sender({ id, kind: stored.kind, target: "42", payload: JSON.parse(stored.payload) });
    expect(result.type).toBe("sent");
    expect(out).toEqual(["one", "two", "three"]);
  });

  it("the last message out: the row is gone at once, before the channel's own clean-up ends", async () => {
    const db = testDb();
    const id = await row(db);
    const out: string[] = [];
    // Dies after its third (last) message, e.g. while removing the answered question's buttons.
    const first = createReplyDelivery({ db, log, channel: "telegram", clock: () => new Date(), send: recordingChannel(out, { dieAfter: 3 }), inChat });
    void first.deliverNow("42", id, payload, "reply");
    await expect.poll(() => db.outbox.count({ where: { id } }), { timeout: 5_000 }).toBe(0);
    expect(out).toEqual(["one", "two", "three"]);
  });

  it("a step still waiting for its send budget past the hold is not sent a second time by the worker", async () => {
    const db = testDb();
    let now = Date.now();
    const clock = () => new Date(now);
    const id = await row(db, clock());
    const out: string[] = [];
    let release: () => void = () => undefined;
    const waiting = new Promise<void>((r) => (release = r));
    // The fast path waits (a busy bot's budget) before sending anything.
    const slow: ReplySend = async (chatId, p, how) => {
      await waiting;
      return recordingChannel(out)(chatId, p, how);
    };
    const fast = createReplyDelivery({ db, log, channel: "telegram", clock, send: slow, inChat });
    const done = fast.deliverNow("42", id, payload, "reply");
    now += 15_000;
    await new Promise((r) => setTimeout(r, 5_500)); // one renewal of the hold (every 5 s)
    now += 10_000; // 25 s after the commit: past the first hold
    const other = createReplyDelivery({ db, log, channel: "telegram", clock, send: recordingChannel(out), inChat });
    const worker = createOutboxWorker({ db, log, senders: { telegram: other.sender }, clock });
    expect(await worker.runOnce()).toBe(0);
    release();
    await done;
    expect(out).toEqual(["one", "two", "three"]);
  }, 20_000);
});

describe("progress of several chats' steps, recorded together", () => {
  it("steps killed after their first message in the same moment: one statement records each row's own progress, and each is finished without a repeat", async () => {
    const db = testDb();
    const payloads: ReplyPayload[] = ["а", "б", "в"].map((c) => ({ replies: [1, 2, 3].map((n) => ({ type: "text" as const, text: `${c}${n}` })) }));
    const ids = await Promise.all(payloads.map((p, i) => commitReply(db, { updateKey: `p${i}`, payload: p, urgent: false, holdMs: 20_000 }, new Date())));
    const updates = captureStatements(db, 'UPDATE "Outbox" SET "payload"');
    const out: string[] = [];
    const first = createReplyDelivery({ db, log, channel: "telegram", clock: () => new Date(), send: recordingChannel(out, { dieAfter: 1 }), inChat });
    for (const [i, id] of ids.entries()) void first.deliverNow("42", id, payloads[i] as ReplyPayload, "reply");
    const stored = () => Promise.all(ids.map(async (id) => JSON.parse((await db.outbox.findUniqueOrThrow({ where: { id } })).payload) as ReplyPayload));
    await expect.poll(async () => (await stored()).map((p) => p.sent), { timeout: 5_000 }).toEqual([1, 1, 1]);
    expect(updates).toHaveLength(1);
    // Each row still holds its own replies, so the instance taking over sends each chat's rest.
    const rows = await stored();
    const rest: string[] = [];
    const second = createReplyDelivery({ db, log, channel: "telegram", clock: () => new Date(), send: recordingChannel(rest), inChat });
    for (const [i, id] of ids.entries()) expect((await second.sender({ id, kind: REPLY_KIND, target: "42", payload: rows[i] })).type).toBe("sent");
    expect(out.sort()).toEqual(["а1", "б1", "в1"]);
    expect(rest).toEqual(["а2", "а3", "б2", "б3", "в2", "в3"]);
  });
});

describe("delivered replies, recorded together", () => {
  it("replies of many chats sent at once are deleted in one statement, and none is left behind", async () => {
    const db = testDb();
    const one: ReplyPayload = { replies: [{ type: "text", text: "ответ" }] };
    const ids = await Promise.all(Array.from({ length: 8 }, (_, i) => commitReply(db, { updateKey: `u${i}`, payload: one, urgent: false, holdMs: 20_000 }, new Date())));
    const sent: ReplySend = async () => ({ type: "sent", sent: 1 });
    const delivery = createReplyDelivery({ db, log, channel: "telegram", clock: () => new Date(), send: sent, inChat });
    const deletes = captureStatements(db, 'DELETE FROM "Outbox"');
    await Promise.all(ids.map((id) => delivery.deliverNow("42", id, one, "reply")));
    await expect.poll(() => db.outbox.count(), { timeout: 5_000 }).toBe(0);
    expect(deletes).toHaveLength(1);
  });
});
