// A step whose transaction fails (an overloaded PostgreSQL: "unable to start a transaction in the
// given time", a pool timeout) is tried again at once a few times; when it still fails, the update
// stays in the inbound journal and is applied again from there — without waiting for a restart.
// Runs on SQLite and, with TEST_DATABASE_URL, on PostgreSQL.
import { afterEach, describe, expect, it } from "vitest";
import { createInboundJournal } from "../../src/channels/inbound-journal.ts";
import type { Db } from "../../src/db/client.ts";
import { createDialogService } from "../../src/dialog/dialog-service.ts";
import type { HandleResult } from "../../src/dialog/service-types.ts";
import { createI18n } from "../../src/i18n/i18n.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const log = createLogger({ level: "silent" });
let temp: TempDb | undefined;
afterEach(async () => {
  await temp?.cleanup();
  temp = undefined;
});

/**
 * The database, with its next `failures` transactions or raw statements refused as an overloaded
 * server does (a chat's first step is one statement, no interactive transaction, on PostgreSQL).
 */
function overloaded(db: Db, failures: number): { db: Db; left: () => number } {
  let left = failures;
  const proxy = new Proxy(db, {
    get(target, prop) {
      if (prop === "$transaction" || prop === "$queryRaw" || prop === "$executeRaw") {
        return (...args: unknown[]) => {
          if (left > 0) {
            left -= 1;
            const err = Object.assign(new Error("Transaction API error: Unable to start a transaction in the given time."), { code: "P2028" });
            return Promise.reject(err);
          }
          return (Reflect.get(target, prop) as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      const value = Reflect.get(target, prop);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db: proxy, left: () => left };
}

async function setup(failures: number) {
  temp = await createTempDb();
  await loadDemoRoutingIfEmpty(temp.db, log);
  const flaky = overloaded(temp.db, failures);
  const service = createDialogService({
    db: flaky.db,
    log,
    i18n: createI18n(),
    clock: () => new Date(),
    config: { consentVersion: "t-1", publicBaseUrl: "http://127.0.0.1", operatorName: "Opora test" },
  });
  const ctx = { channel: "telegram" as const, chatId: "801", userId: "801", updateKey: "9001", locale: "ru", delivery: { journalKeys: ["9001"] } };
  return { db: temp.db, flaky, service, ctx };
}

describe("a step that fails under overload", () => {
  it("is tried again at once: two refused transactions, then the step is applied and its replies committed", async () => {
    const { db, flaky, service, ctx } = await setup(2);
    const result = await service.handle(ctx, { type: "start" });
    expect(flaky.left()).toBe(0);
    expect(result).toMatchObject({ type: "handled" });
    expect((result as Extract<HandleResult, { type: "handled" }>).failed).toBeUndefined();
    expect(await db.conversation.count({ where: { chatId: "801" } })).toBe(1);
    expect(await db.outbox.count({ where: { target: "801", kind: "dialog_reply" } })).toBe(1);
  }, 30_000);

  it("still failing: left in the journal and applied from there later, once, without a restart", async () => {
    const { db, flaky, service, ctx } = await setup(3);
    const journal = createInboundJournal(db, log, "telegram");
    await journal.record([{ updateKey: ctx.updateKey, payload: JSON.stringify({ update_id: 9001 }), chatKey: ctx.chatId }], new Date());
    const results: HandleResult[] = [];
    const apply = async () => {
      results.push(await service.handle(ctx, { type: "start" }));
      journal.release([ctx.updateKey]);
    };
    await apply(); // three refused transactions: the family is told something went wrong
    expect(results[0]).toMatchObject({ type: "handled", failed: true });
    expect(await db.inboundUpdate.count()).toBe(1); // kept for the retry
    expect(await db.conversation.count({ where: { chatId: "801" } })).toBe(0); // nothing half-applied

    journal.retryFailed(() => void apply(), { everyMs: 50, olderThanMs: 0 });
    await expect.poll(() => db.inboundUpdate.count(), { timeout: 10_000 }).toBe(0);
    await journal.stop();
    expect(flaky.left()).toBe(0);
    const applied = results.filter((r) => r.type === "handled" && !r.failed);
    expect(applied).toHaveLength(1);
    expect(await db.conversation.count({ where: { chatId: "801" } })).toBe(1);
    expect(await db.outbox.count({ where: { target: "801" } })).toBe(1); // the answer, waiting to be sent
  }, 30_000);
});
