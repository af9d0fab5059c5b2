// Group commit (src/db/group-commit.ts): batches ready in the same turn of the event loop share one
// transaction, each caller gets its own statements' results, and one failing batch fails only
// its own caller — the others are committed alone. Run on both engines: the helper is engine-neutral.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { commitGrouped } from "../../src/db/group-commit.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const at = new Date("2026-03-02T06:00:00Z");

describe("commitGrouped", () => {
  let tmp: TempDb;
  beforeEach(async () => {
    tmp = await createTempDb();
  });
  afterEach(async () => {
    await tmp.cleanup();
  });

  const mark = (key: string) => () => [
    tmp.db.$executeRaw`INSERT INTO "ProcessedUpdate" ("channel", "updateKey", "processedAt") VALUES ('telegram', ${key}, ${at})`,
    tmp.db.$queryRaw<{ n: number | bigint }[]>`SELECT COUNT(*) AS "n" FROM "ProcessedUpdate" WHERE "updateKey" = ${key}`,
  ];
  const keys = async () => (await tmp.db.processedUpdate.findMany({ orderBy: { updateKey: "asc" } })).map((r) => r.updateKey);

  it("batches of the same turn commit in one transaction, each caller with its own results", async () => {
    const transactions = vi.spyOn(tmp.db, "$transaction");
    const results = await Promise.all(["a", "b", "c"].map((k) => commitGrouped(tmp.db, mark(k))));
    expect(transactions).toHaveBeenCalledTimes(1);
    expect(results.map(([inserted, counted]) => [inserted, Number((counted as { n: number }[])[0]!.n)])).toEqual([
      [1, 1],
      [1, 1],
      [1, 1],
    ]);
    expect(await keys()).toEqual(["a", "b", "c"]);
  });

  it("a failing batch fails only its caller: the others are committed", async () => {
    await tmp.db.processedUpdate.create({ data: { channel: "telegram", updateKey: "taken", processedAt: at } });
    const outcomes = await Promise.allSettled(["a", "taken", "c"].map((k) => commitGrouped(tmp.db, mark(k))));
    expect(outcomes.map((o) => o.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await keys()).toEqual(["a", "c", "taken"]);
  });

  it("batches of different turns are separate transactions", async () => {
    await commitGrouped(tmp.db, mark("a"));
    const transactions = vi.spyOn(tmp.db, "$transaction");
    await commitGrouped(tmp.db, mark("b"));
    await commitGrouped(tmp.db, mark("c"));
    expect(transactions).toHaveBeenCalledTimes(2);
    expect(await keys()).toEqual(["a", "b", "c"]);
  });
});
