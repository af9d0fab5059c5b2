// A reply "in doubt": the instance sending it died mid-send (SIGKILL), so it may or may not have
// reached the family, and neither messenger has an idempotency key to ask. The outbox worker that
// takes the row over after the fast path's hold sends it again only while the family has not acted
// since: once a later step of the chat has committed (they answered it, or wrote anyway and that
// step's replies show where they are), sending it again would only be a duplicate. A reply whose
// send failed and said so (a 500) is not in doubt and is always sent; an urgent one always is.
import { describe, expect, it } from "vitest";
import { createOutboxWorker } from "../../src/outbox/outbox.ts";
import { createReplyDelivery, type ReplyPayload } from "../../src/outbox/reply-delivery.ts";
import { commitReply, inChat, log, recordingChannel, replyDbPerTest } from "./reply-fakes.ts";

const testDb = replyDbPerTest();

async function world() {
  const db = testDb();
  let now = new Date("2026-12-01T10:00:00Z").getTime();
  const clock = () => new Date(now);
  const out: string[] = [];
  const fail = { next: 0 };
  const delivery = createReplyDelivery({ db, log, channel: "telegram", clock, send: recordingChannel(out, { fail }), inChat });
  const worker = createOutboxWorker({ db, log, senders: { telegram: delivery.sender }, clock });
  await db.conversation.create({ data: { channel: "telegram", chatId: "42", userId: "42", state: "{}", stateVersion: 1, seq: 5 } });
  /** A step's reply row, committed at conversation step `seq`, held for a fast path that then died. */
  const committed = (text: string, seq: number, opts: { urgent?: boolean; held?: boolean } = {}) => {
    const payload: ReplyPayload = { replies: [{ type: "text", text }], seq };
    return commitReply(db, { updateKey: `u${seq}`, payload, urgent: opts.urgent ?? false, ...(opts.held === false ? {} : { holdMs: 20_000 }) }, clock());
  };
  const familyActs = (seq: number) => db.conversation.update({ where: { channel_chatId: { channel: "telegram", chatId: "42" } }, data: { seq } });
  const drain = async () => {
    while ((await worker.runOnce()) > 0) {
      /* pass after pass while anything is due */
    }
  };
  return { db, out, fail, worker, committed, familyActs, drain, advance: (ms: number) => (now += ms) };
}

describe("a reply left in doubt by a killed instance", () => {
  it("the family answered it meanwhile (a later step committed): not sent a second time", async () => {
    const w = await world();
    await w.committed("Вопрос 3: кто нуждается в помощи?", 5); // the fast path sent it, then the process died
    await w.familyActs(6); // the family pressed an answer: another instance applied that step
    w.advance(21_000); // the fast path's hold runs out
    await w.drain();
    expect(w.out).toEqual([]);
    expect(await w.db.outbox.count()).toBe(0);
  });

  it("the family's answer is already here but waits for the chat (a dead holder's claim): not sent again", async () => {
    const w = await world();
    await w.committed("Вопрос 3: кто нуждается в помощи?", 5);
    // The press reached the other instance and is journaled; the chat's claim still belongs to the
    // killed one, so it is applied only after the claim expires — after this reply's hold.
    await w.db.inboundUpdate.create({
      data: { channel: "telegram", updateKey: "777", payload: "{}", receivedAt: new Date("2026-12-01T10:00:01Z"), chatKey: "42" },
    });
    w.advance(21_000);
    await w.drain();
    expect(w.out).toEqual([]);
    // Another chat's waiting update does not count.
    await w.db.inboundUpdate.update({ where: { channel_updateKey: { channel: "telegram", updateKey: "777" } }, data: { chatKey: "43" } });
    await w.committed("Вопрос 4: где вы живёте?", 5);
    w.advance(21_000);
    await w.drain();
    expect(w.out).toEqual(["Вопрос 4: где вы живёте?"]);
  });

  it("the family has not acted: sent again after the hold (it may never have gone out)", async () => {
    const w = await world();
    await w.committed("Вопрос 3: кто нуждается в помощи?", 5);
    w.advance(10_000);
    await w.drain();
    expect(w.out).toEqual([]); // still held for the fast path
    w.advance(11_000);
    await w.drain();
    expect(w.out).toEqual(["Вопрос 3: кто нуждается в помощи?"]);
    expect(await w.db.outbox.count()).toBe(0);
  });

  it("a send that failed and said so (a 500) is sent later even after the family wrote again", async () => {
    const w = await world();
    await w.committed("Заявка № 12 принята", 5, { held: false });
    w.fail.next = 1;
    await w.drain(); // fails: the row is "pending" with its error, not in doubt
    await w.familyActs(6);
    w.advance(60_000);
    await w.drain();
    expect(w.out).toEqual(["Заявка № 12 принята"]);
  });

  it("an urgent reply (emergency numbers) in doubt is sent again whatever the family did since", async () => {
    const w = await world();
    await w.committed("Позвоните 112", 5, { urgent: true });
    await w.familyActs(6);
    w.advance(21_000);
    await w.drain();
    expect(w.out).toEqual(["Позвоните 112"]);
  });

  it("a worker that died mid-send leaves the row in doubt too: the next worker checks the same way", async () => {
    const w = await world();
    const id = await w.committed("Вопрос 4: где вы живёте?", 5, { held: false });
    // A worker claimed it (status "sending", a 60 s claim) and was killed before any outcome.
    await w.db.outbox.update({ where: { id }, data: { status: "sending", attempts: 1, nextAttemptAt: new Date(new Date("2026-12-01T10:00:00Z").getTime() + 60_000) } });
    await w.familyActs(6);
    w.advance(61_000);
    await w.drain();
    expect(w.out).toEqual([]);
    expect(await w.db.outbox.count()).toBe(0);
  });
});
