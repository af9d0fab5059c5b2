// The family's "send" step on a messenger: the request, its number, its transcript, its audit row,
// its center's notice, the state and the reply commit together. On PostgreSQL that transaction is
// three statements (the claim, the request with everything it writes, the state with the reply and
// the notices): each round trip holds a pooled connection while the step waits for the loop.
import { describe, expect, it } from "vitest";
import { engineOf, type Tx } from "../../src/db/client.ts";
import { MessengerPerson, makeService, routedDbPerTest, walkToSummary } from "./db-fixture.ts";

const now = new Date("2026-03-02T08:00:00Z");

describe("the family's send step", () => {
  const routed = routedDbPerTest({ operatorsChat: "-100777" });

  /** Counts the statements of each interactive transaction while `run` goes. */
  async function statementsPerTransaction(run: () => Promise<unknown>): Promise<number[]> {
    const db = routed.db;
    const counts: number[] = [];
    const original = db.$transaction.bind(db) as (arg: unknown, options?: unknown) => Promise<unknown>;
    (db as { $transaction: unknown }).$transaction = (arg: unknown, options?: unknown) => {
      if (typeof arg !== "function") return original(arg, options);
      const i = counts.push(0) - 1;
      return original((tx: Tx) => {
        const counted = new Proxy(tx, {
          get(target, prop, receiver) {
            const value = Reflect.get(target, prop, receiver);
            if (typeof value !== "function") return value;
            return (...args: unknown[]) => {
              counts[i]! += 1;
              return (value as (...a: unknown[]) => unknown).apply(target, args);
            };
          },
        });
        return (arg as (tx: Tx) => Promise<unknown>)(counted);
      }, options);
    };
    try {
      await run();
    } finally {
      (db as { $transaction: unknown }).$transaction = original;
    }
    return counts;
  }

  it("commits the request with its number, transcript, consent, audit row and the center's notice, and answers with the number", async () => {
    const p = new MessengerPerson(makeService(routed.db, () => now), "601");
    await walkToSummary(p);
    const steps = await statementsPerTransaction(() => p.press("submit"));
    expect(p.last?.type).toBe("handled");
    expect(p.texts()).toContain("63-00001");
    if (engineOf(routed.db) === "postgresql") expect(steps).toEqual([3]);

    const [request] = await routed.db.request.findMany();
    const conversation = await routed.db.conversation.findFirstOrThrow({ where: { chatId: "601" } });
    const consent = await routed.db.consentRecord.findFirstOrThrow({ where: { userId: "601", decision: "given" } });
    expect(request).toMatchObject({
      number: "63-00001",
      queueId: routed.ids.samaraQueueId,
      municipalityId: routed.ids.syzranId,
      conversationId: conversation.id,
      consentId: consent.id,
      contactPhone: "+79991234567",
      isTest: false,
      urgency: "P2",
    });
    expect(JSON.parse(conversation.state).requestNumber).toBe("63-00001");
    const transcript = await routed.db.transcriptMessage.findMany({ where: { conversationId: conversation.id } });
    expect(transcript.length).toBeGreaterThan(0);
    expect(transcript.every((t) => t.requestId === request!.id)).toBe(true);

    const audit = await routed.db.auditLog.findMany({ where: { action: "request.create" } });
    expect(audit.map((a) => [a.actorType, a.actorId, a.entityType, a.entityId, a.regionCode, a.requestId, a.at.toISOString()])).toEqual([
      ["family", null, "request", String(request!.id), "63", request!.id, now.toISOString()],
    ]);
    expect(audit[0]!.details.startsWith('{"number":"63-00001",')).toBe(true);
    expect(JSON.parse(audit[0]!.details)).toEqual({ number: "63-00001", urgency: "P2", queue: "samara", reason: "region_default", overflow: false, overflowStep: null, chosenQueue: "samara", isTest: false });

    const notices = await routed.db.outbox.findMany({ where: { kind: { startsWith: "center_new_request" } } });
    expect(notices.map((n) => [n.idempotencyKey, n.kind, n.channel, n.target, n.requestId, n.status, n.attempts])).toEqual([
      [`new:${request!.id}:telegram`, "center_new_request", "telegram", "-100777", request!.id, "pending", 0],
    ]);
    const noticeText = (JSON.parse(notices[0]!.payload) as { text: string }).text;
    expect(noticeText).toContain("63-00001");
    expect(noticeText).not.toMatch(/Анна|79991234567|ссоры/i);
    expect(await routed.db.outbox.count({ where: { idempotencyKey: `reply:telegram:${p.lastKey}` } })).toBe(1);

    // The same press delivered again: a duplicate, nothing more written.
    await p.send({ type: "option", token: "x" }, p.lastKey);
    expect(p.last).toEqual({ type: "duplicate" });
    expect(await routed.db.request.count()).toBe(1);
    expect(await routed.db.outbox.count({ where: { kind: { startsWith: "center_new_request" } } })).toBe(1);
  });

  it("a region past 99,999 requests gets six digits, and a number already taken is skipped", async () => {
    await routed.db.requestNumberCounter.create({ data: { regionCode: "63", last: 99_999 } });
    const taken = await routed.db.request.create({
      data: {
        number: "63-100000",
        channel: "telegram",
        categories: "[]",
        urgency: "P2",
        regionCode: "63",
        queueId: routed.ids.samaraQueueId,
        routingReason: "default",
        routingExplanation: "—",
        dueAt: now,
      },
    });
    const p = new MessengerPerson(makeService(routed.db, () => now), "602");
    await walkToSummary(p);
    await p.press("submit");
    expect(p.texts()).toContain("63-100001");
    const numbers = (await routed.db.request.findMany({ orderBy: { id: "asc" } })).map((r) => r.number);
    expect(numbers).toEqual([taken.number, "63-100001"]);
    const audit = await routed.db.auditLog.findMany({ where: { action: "request.create" } });
    expect(audit.map((a) => JSON.parse(a.details).number)).toEqual(["63-100001"]);
    expect((await routed.db.requestNumberCounter.findUniqueOrThrow({ where: { regionCode: "63" } })).last).toBe(100_001);
  });

  it("a failure after the request's statement leaves nothing: no request, no number used, no notice, the family can send again", async () => {
    const p = new MessengerPerson(makeService(routed.db, () => now), "603");
    await walkToSummary(p);
    // The state's statement fails once (as an aborted PostgreSQL transaction or a full disk would).
    const db = routed.db;
    const original = db.$transaction.bind(db) as (arg: unknown, options?: unknown) => Promise<unknown>;
    let failed = false;
    (db as { $transaction: unknown }).$transaction = (arg: unknown, options?: unknown) => {
      if (typeof arg !== "function" || failed) return original(arg, options);
      return original(async (tx: Tx) => {
        await (arg as (tx: Tx) => Promise<unknown>)(tx);
        failed = true;
        throw Object.assign(new Error("simulated failure at commit"), { code: "P2034" });
      }, options);
    };
    try {
      await p.press("submit");
    } finally {
      (db as { $transaction: unknown }).$transaction = original;
    }
    // Tried again by the service (STEP_ATTEMPTS): the second attempt commits one request, numbered 1.
    expect(p.texts()).toContain("63-00001");
    expect((await routed.db.request.findMany()).map((r) => r.number)).toEqual(["63-00001"]);
    expect(await routed.db.auditLog.count({ where: { action: "request.create" } })).toBe(1);
    expect(await routed.db.outbox.count({ where: { kind: { startsWith: "center_new_request" } } })).toBe(1);
  });
});
