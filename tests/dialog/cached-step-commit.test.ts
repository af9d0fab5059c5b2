// The usual messenger step — the conversation cached, no effects — commits without an interactive
// transaction (conversation-store.ts, commitCachedStep): on SQLite a batch whose statements each
// require the one before to have changed its row, on PostgreSQL one statement. Its claim must hold
// exactly as claimUpdate's does: a re-delivered update, or a conversation someone else changed
// meanwhile, writes nothing but the journal deletion, and the step is then taken the full way.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { engineOf } from "../../src/db/client.ts";
import { commitCachedStep, consentRow, inboundRow, type StepRow } from "../../src/dialog/conversation-store.ts";
import { initialState, serializeState } from "../../src/dialog/state.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";
import { MessengerPerson, makeService, routedDbPerTest, walkToConsent } from "./db-fixture.ts";

const now = new Date("2026-03-02T06:00:00Z");

describe("commitCachedStep", () => {
  let tmp: TempDb;
  beforeEach(async () => {
    tmp = await createTempDb();
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  const cachedState = initialState("ru", 4);
  const cachedText = serializeState(cachedState);
  const nextState = { ...cachedState, seq: 5, step: "categories" as const };
  const nextText = serializeState(nextState);

  async function seed(): Promise<string> {
    const conv = await tmp.db.conversation.create({
      data: { channel: "telegram", chatId: "77", userId: "77", state: cachedText, stateVersion: cachedState.v, seq: 4 },
    });
    await tmp.db.inboundUpdate.create({ data: { channel: "telegram", updateKey: "u-5", payload: "{}", receivedAt: now, chatKey: "77" } });
    return conv.id;
  }

  const commit = (id: string, text = cachedText, rows: StepRow[] = []) =>
    commitCachedStep(tmp.db, engineOf(tmp.db), {
      channel: "telegram",
      updateKey: "u-5",
      now,
      journalKeys: ["u-5"],
      cached: { type: "unchanged", id, text },
      save: { state: nextState, text: nextText, userId: "77" },
      rows,
      reply: { channel: "telegram", chatId: "77", updateKey: "u-5", payload: { replies: [{ type: "text", text: "Что случилось?" }] }, urgent: false },
    });

  /** A consent record and a transcript message: the row effects a cached step may carry. */
  const rowEffects = (conversationId: string): StepRow[] => [
    consentRow({
      channel: "telegram",
      userId: "77",
      sourceUpdateId: "u-5",
      now,
      consent: {
        decision: "given",
        textVersion: "v1",
        textHash: "abc",
        operatorName: "АНО «Опора»",
        purposes: ["contact"],
        dataList: ["phone"],
        recipients: ["Центр"],
        term: "180d",
        withdrawalMethod: "/revoke",
      },
    }),
    inboundRow(conversationId, "Ссоры дома, сын не разговаривает", now),
  ];

  it("claims the update: the state, the reply row, the processed mark and the journal deletion together", async () => {
    const id = await seed();
    const deliveryId = await commit(id);
    expect(deliveryId).toBeTypeOf("number");
    const conv = await tmp.db.conversation.findUniqueOrThrow({ where: { id } });
    expect(conv.state).toBe(nextText);
    expect(conv.seq).toBe(5);
    const outbox = await tmp.db.outbox.findMany();
    expect(outbox.map((o) => [o.id, o.idempotencyKey, o.target, JSON.parse(o.payload).replies[0].text])).toEqual([
      [deliveryId, "reply:telegram:u-5", "77", "Что случилось?"],
    ]);
    expect(await tmp.db.processedUpdate.count({ where: { updateKey: "u-5" } })).toBe(1);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });

  it("the step's row effects commit with its state: the consent record and the transcript message", async () => {
    const id = await seed();
    const deliveryId = await commit(id, cachedText, rowEffects(id));
    expect(deliveryId).toBeTypeOf("number");
    expect((await tmp.db.conversation.findUniqueOrThrow({ where: { id } })).state).toBe(nextText);
    const consent = await tmp.db.consentRecord.findMany();
    expect(consent.map((c) => [c.userId, c.decision, c.sourceUpdateId, c.givenAt.toISOString(), JSON.parse(c.recipients)])).toEqual([
      ["77", "given", "u-5", now.toISOString(), ["Центр"]],
    ]);
    const transcript = await tmp.db.transcriptMessage.findMany();
    expect(transcript.map((t) => [t.conversationId, t.direction, t.text, t.requestId, t.createdAt.toISOString()])).toEqual([
      [id, "in", "Ссоры дома, сын не разговаривает", null, now.toISOString()],
    ]);
    expect(await tmp.db.outbox.count()).toBe(1);
  });

  it("a conversation changed meanwhile: its row effects are not written either", async () => {
    const id = await seed();
    await tmp.db.conversation.update({ where: { id }, data: { state: serializeState({ ...cachedState, seq: 5, step: "region" }), seq: 5 } });
    expect(await commit(id, cachedText, rowEffects(id))).toBeNull();
    expect(await tmp.db.consentRecord.count()).toBe(0);
    expect(await tmp.db.transcriptMessage.count()).toBe(0);
    expect(await tmp.db.outbox.count()).toBe(0);
    expect(await tmp.db.processedUpdate.count()).toBe(0);
  });

  it("a conversation changed meanwhile: nothing written, the update kept in the journal for the full way (or a later retry)", async () => {
    const id = await seed();
    const other = serializeState({ ...cachedState, seq: 5, step: "region" });
    await tmp.db.conversation.update({ where: { id }, data: { state: other, seq: 5 } });
    expect(await commit(id)).toBeNull();
    expect((await tmp.db.conversation.findUniqueOrThrow({ where: { id } })).state).toBe(other);
    expect(await tmp.db.outbox.count()).toBe(0);
    expect(await tmp.db.processedUpdate.count()).toBe(0);
    expect(await tmp.db.inboundUpdate.count()).toBe(1);
  });

  it("several chats' steps ready together: each keeps its own claim, one changed meanwhile writes nothing", async () => {
    const chats = ["81", "82", "83"];
    const ids: string[] = [];
    for (const chat of chats) {
      const conv = await tmp.db.conversation.create({
        data: { channel: "telegram", chatId: chat, userId: chat, state: cachedText, stateVersion: cachedState.v, seq: 4 },
      });
      ids.push(conv.id);
      await tmp.db.inboundUpdate.create({ data: { channel: "telegram", updateKey: `u-${chat}`, payload: "{}", receivedAt: now, chatKey: chat } });
    }
    const other = serializeState({ ...cachedState, seq: 5, step: "region" });
    await tmp.db.conversation.update({ where: { id: ids[1] }, data: { state: other, seq: 5 } });
    const transactions = vi.spyOn(tmp.db, "$transaction");
    const results = await Promise.all(
      chats.map((chat, i) =>
        commitCachedStep(tmp.db, engineOf(tmp.db), {
          channel: "telegram",
          updateKey: `u-${chat}`,
          now,
          journalKeys: [`u-${chat}`],
          cached: { type: "unchanged", id: ids[i]!, text: cachedText },
          save: { state: nextState, text: nextText, userId: chat },
          rows: [inboundRow(ids[i]!, `Сообщение ${chat}`, now)],
          reply: { channel: "telegram", chatId: chat, updateKey: `u-${chat}`, payload: { replies: [{ type: "text", text: `Ответ ${chat}` }] }, urgent: false },
        }),
      ),
    );
    // SQLite commits them in one batch transaction (group-commit.ts); PostgreSQL, one statement each.
    if (engineOf(tmp.db) === "sqlite") expect(transactions).toHaveBeenCalledTimes(1);
    expect(results.map((r) => r === null)).toEqual([false, true, false]);
    const outbox = await tmp.db.outbox.findMany({ orderBy: { id: "asc" } });
    expect(outbox.map((o) => [o.id, o.target, JSON.parse(o.payload).replies[0].text])).toEqual([
      [results[0], "81", "Ответ 81"],
      [results[2], "83", "Ответ 83"],
    ]);
    const states = await tmp.db.conversation.findMany({ orderBy: { chatId: "asc" } });
    expect(states.map((c) => c.state)).toEqual([nextText, other, nextText]);
    expect((await tmp.db.transcriptMessage.findMany({ orderBy: { text: "asc" } })).map((t) => t.text)).toEqual(["Сообщение 81", "Сообщение 83"]);
    expect((await tmp.db.processedUpdate.findMany({ orderBy: { updateKey: "asc" } })).map((p) => p.updateKey)).toEqual(["u-81", "u-83"]);
    // The changed chat's update stays in the journal until it is applied the full way.
    expect((await tmp.db.inboundUpdate.findMany()).map((u) => u.updateKey)).toEqual(["u-82"]);
  });

  it("a step that fails in a group fails alone: the other chats' steps are committed", async () => {
    const ids: string[] = [];
    for (const chat of ["91", "92"]) {
      const conv = await tmp.db.conversation.create({
        data: { channel: "telegram", chatId: chat, userId: chat, state: cachedText, stateVersion: cachedState.v, seq: 4 },
      });
      ids.push(conv.id);
    }
    const stepOf = (chat: string, conversationId: string, transcriptOf: string) =>
      commitCachedStep(tmp.db, engineOf(tmp.db), {
        channel: "telegram",
        updateKey: `u-${chat}`,
        now,
        journalKeys: [],
        cached: { type: "unchanged", id: conversationId, text: cachedText },
        save: { state: nextState, text: nextText, userId: chat },
        rows: [inboundRow(transcriptOf, `Сообщение ${chat}`, now)],
        reply: { channel: "telegram", chatId: chat, updateKey: `u-${chat}`, payload: { replies: [{ type: "text", text: `Ответ ${chat}` }] }, urgent: false },
      });
    // The second step's transcript row names a conversation that does not exist: a foreign-key violation.
    const outcomes = await Promise.allSettled([stepOf("91", ids[0]!, ids[0]!), stepOf("92", ids[1]!, "no-such-conversation")]);
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected"]);
    expect((await tmp.db.outbox.findMany()).map((o) => o.target)).toEqual(["91"]);
    const states = await tmp.db.conversation.findMany({ orderBy: { chatId: "asc" } });
    expect(states.map((c) => c.state)).toEqual([nextText, cachedText]);
    expect((await tmp.db.processedUpdate.findMany()).map((p) => p.updateKey)).toEqual(["u-91"]);
  });

  it("an update processed before: nothing written, though the cached state still matches", async () => {
    const id = await seed();
    await tmp.db.processedUpdate.create({ data: { channel: "telegram", updateKey: "u-5", processedAt: new Date(now.getTime() - 1000) } });
    expect(await commit(id)).toBeNull();
    const conv = await tmp.db.conversation.findUniqueOrThrow({ where: { id } });
    expect([conv.state, conv.seq]).toEqual([cachedText, 4]);
    expect(await tmp.db.outbox.count()).toBe(0);
    // Applied before: its journal row (left by a crash after that commit) is done with.
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });
});

describe("commitCachedStep on a chat's first update (no conversation yet)", () => {
  let tmp: TempDb;
  beforeEach(async () => {
    tmp = await createTempDb();
    await tmp.db.inboundUpdate.create({ data: { channel: "telegram", updateKey: "u-1", payload: "{}", receivedAt: now, chatKey: "88" } });
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  const first = { ...initialState("ru", 0), seq: 1, step: "categories" as const };
  const firstText = serializeState(first);
  const commitFirst = (id: string, rows: StepRow[] = [], isTest = false) =>
    commitCachedStep(tmp.db, engineOf(tmp.db), {
      channel: "telegram",
      updateKey: "u-1",
      now,
      journalKeys: ["u-1"],
      cached: { type: "absent", id, chatId: "88", isTest },
      save: { state: first, text: firstText, userId: "88" },
      rows,
      reply: { channel: "telegram", chatId: "88", updateKey: "u-1", payload: { replies: [{ type: "text", text: "Что случилось?" }] }, urgent: false },
    });

  it("creates the conversation with the step's state, and writes its rows, reply, processed mark and journal deletion with it", async () => {
    const id = "5b0e7c52-1f0a-4b61-9d4e-0c1a2b3c4d5e";
    const deliveryId = await commitFirst(id, [inboundRow(id, "Сын перестал ходить в школу", now)], true);
    expect(deliveryId).toBeTypeOf("number");
    const conv = await tmp.db.conversation.findUniqueOrThrow({ where: { id } });
    expect([conv.channel, conv.chatId, conv.userId, conv.state, conv.seq, conv.locale, conv.isTest]).toEqual(["telegram", "88", "88", firstText, 1, "ru", true]);
    expect(conv.lastActivityAt.toISOString()).toBe(now.toISOString());
    expect((await tmp.db.transcriptMessage.findMany()).map((t) => [t.conversationId, t.text])).toEqual([[id, "Сын перестал ходить в школу"]]);
    expect((await tmp.db.outbox.findMany()).map((o) => [o.id, o.target])).toEqual([[deliveryId, "88"]]);
    expect(await tmp.db.processedUpdate.count({ where: { updateKey: "u-1" } })).toBe(1);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });

  it("a conversation created meanwhile (another instance): nothing written, the update kept in the journal", async () => {
    const other = await tmp.db.conversation.create({ data: { channel: "telegram", chatId: "88", userId: "88", state: "{}", stateVersion: first.v } });
    expect(await commitFirst("0f6c1b9e-8a7d-4c3b-b2a1-9e8d7c6b5a4f", [inboundRow("0f6c1b9e-8a7d-4c3b-b2a1-9e8d7c6b5a4f", "Текст", now)])).toBeNull();
    expect((await tmp.db.conversation.findMany()).map((c) => [c.id, c.state])).toEqual([[other.id, "{}"]]);
    expect(await tmp.db.processedUpdate.count()).toBe(0);
    expect(await tmp.db.transcriptMessage.count()).toBe(0);
    expect(await tmp.db.outbox.count()).toBe(0);
    expect(await tmp.db.inboundUpdate.count()).toBe(1);
  });

  it("a first update processed before (its conversation erased since): no conversation is created again", async () => {
    await tmp.db.processedUpdate.create({ data: { channel: "telegram", updateKey: "u-1", processedAt: new Date(now.getTime() - 1000) } });
    expect(await commitFirst("3c2b1a09-8f7e-4d6c-a5b4-c3d2e1f0a9b8")).toBeNull();
    expect(await tmp.db.conversation.count()).toBe(0);
    expect(await tmp.db.outbox.count()).toBe(0);
    expect(await tmp.db.inboundUpdate.count()).toBe(0);
  });
});

describe("the dialog service's cached steps on a messenger", () => {
  const routed = routedDbPerTest();
  const conversation = () => routed.db.conversation.findFirstOrThrow();

  it("a re-delivered answer is a duplicate: one reply row, the state moved once", async () => {
    const p = new MessengerPerson(makeService(routed.db, () => now), "501");
    await p.send({ type: "start" });
    await p.press("c:family_conflict");
    const seqBefore = (await conversation()).seq;
    const shown = p.replies;
    await p.press("no");
    expect(p.last?.type).toBe("handled");
    const rows = await routed.db.outbox.count();
    p.replies = shown;
    await p.send({ type: "option", token: p.options().find((o) => o.token.endsWith(".no"))!.token }, p.lastKey);
    expect(p.last).toEqual({ type: "duplicate" });
    expect(await routed.db.outbox.count()).toBe(rows);
    expect((await conversation()).seq).toBe(seqBefore + 1);
  });

  it("another instance's step is built on, not overwritten, when this one's cache is stale", async () => {
    const a = new MessengerPerson(makeService(routed.db, () => now), "502");
    const b = new MessengerPerson(makeService(routed.db, () => now), "502");
    await a.send({ type: "start" });
    await a.press("c:family_conflict"); // a caches the conversation here
    b.replies = a.replies;
    await b.press("no"); // b reads it and moves it on
    const afterB = await conversation();
    await a.text("Сызрань"); // a's cached copy is stale now
    expect(a.last?.type).toBe("handled");
    const after = await conversation();
    expect(after.seq).toBe(afterB.seq + 1);
    expect(JSON.parse(after.state).answers.regionCode).toBe("63");
  });

  it("a stale cache and then a failing database: the update stays in the journal and is applied from there, once", async () => {
    // While `refusing`, interactive transactions and the conversation's read are refused, as an
    // overloaded PostgreSQL refuses them (the stale commit itself goes through: it finds the row changed).
    let refusing = 0;
    const refused = (prop: string | symbol, args: unknown[]) =>
      (prop === "$transaction" && typeof args[0] === "function") ||
      (prop === "$queryRaw" && Array.isArray(args[0]) && (args[0] as string[]).join("?").includes('SELECT "id", "state" FROM "Conversation"'));
    const flaky = new Proxy(routed.db, {
      get(target, prop) {
        const value = Reflect.get(target, prop);
        if (prop !== "$transaction" && prop !== "$queryRaw") return typeof value === "function" ? value.bind(target) : value;
        return (...args: unknown[]) => {
          if (refusing > 0 && refused(prop, args)) {
            refusing -= 1;
            return Promise.reject(Object.assign(new Error("Unable to start a transaction in the given time."), { code: "P2028" }));
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const a = new MessengerPerson(makeService(flaky, () => now), "505");
    const b = new MessengerPerson(makeService(routed.db, () => now), "505");
    await a.send({ type: "start" });
    await a.press("c:family_conflict"); // a caches the conversation here
    b.replies = a.replies;
    await b.press("no"); // b moves it on: a's copy is stale
    const answer = { type: "text" as const, text: "Сызрань" };
    await routed.db.inboundUpdate.create({ data: { channel: "telegram", updateKey: "j-1", payload: "{}", receivedAt: now, chatKey: "505" } });
    refusing = 3; // the full way, then the read of each of the two attempts after it
    await a.send(answer, "j-1");
    expect(a.last).toMatchObject({ type: "handled", failed: true });
    expect((await routed.db.inboundUpdate.findMany()).map((u) => u.updateKey)).toEqual(["j-1"]);
    expect(await routed.db.processedUpdate.count({ where: { updateKey: "j-1" } })).toBe(0);
    // Applied from the journal later (inbound-journal.ts, retryFailed): once.
    await a.send(answer, "j-1");
    expect(a.last?.type).toBe("handled");
    expect(await routed.db.inboundUpdate.count()).toBe(0);
    expect(JSON.parse((await conversation()).state).answers.regionCode).toBe("63");
    await a.send(answer, "j-1");
    expect(a.last).toEqual({ type: "duplicate" });
  });

  it("a chat's first message and the steps after a restart take no interactive transaction", async () => {
    const transactions = vi.spyOn(routed.db, "$transaction");
    const interactive = () => transactions.mock.calls.filter(([arg]) => typeof arg === "function").length;
    const p = new MessengerPerson(makeService(routed.db, () => now), "504");
    await p.text("У нас дома постоянные ссоры с сыном");
    expect(p.last?.type).toBe("handled");
    expect(p.replies.length).toBeGreaterThan(0);
    expect(interactive()).toBe(0);
    const created = await conversation();
    expect([created.chatId, JSON.parse(created.state).seq]).toEqual(["504", 1]);
    // A new process (nothing cached): the conversation is read, and the answer is applied on it.
    const restarted = new MessengerPerson(makeService(routed.db, () => now), "504");
    restarted.replies = p.replies;
    await restarted.press(p.options()[0]!.token.split(".").pop()!);
    expect(restarted.last?.type).toBe("handled");
    expect(interactive()).toBe(0);
    transactions.mockRestore();
    const after = await conversation();
    expect([after.id, JSON.parse(after.state).seq]).toEqual([created.id, 2]);
    // The same first update delivered again to the new process: a duplicate, nothing moved.
    await restarted.send({ type: "text", text: "У нас дома постоянные ссоры с сыном" }, p.lastKey);
    expect(restarted.last).toEqual({ type: "duplicate" });
    expect((await conversation()).seq).toBe(2);
  });

  it("consent and the description take the cached commit, not an interactive transaction, and are kept", async () => {
    const p = new MessengerPerson(makeService(routed.db, () => now), "503");
    await walkToConsent(p);
    const transactions = vi.spyOn(routed.db, "$transaction");
    const interactive = () => transactions.mock.calls.filter(([arg]) => typeof arg === "function").length;
    await p.press("give");
    await p.text("Ссоры с сыном, нужна консультация");
    expect(interactive()).toBe(0);
    transactions.mockRestore();
    expect(await routed.db.consentRecord.count({ where: { userId: "503", decision: "given" } })).toBe(1);
    const conv = await conversation();
    const transcript = await routed.db.transcriptMessage.findMany({ where: { conversationId: conv.id } });
    expect(transcript.map((t) => [t.direction, t.text])).toEqual([["in", "Ссоры с сыном, нужна консультация"]]);
    expect(JSON.parse(conv.state).answers.description).toBe("Ссоры с сыном, нужна консультация");
  });
});
