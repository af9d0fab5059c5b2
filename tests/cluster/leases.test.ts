// Leases in the database (src/cluster/leases.ts), on SQLite and on PostgreSQL (TEST_DATABASE_URL):
// one holder at a time, expiry by the database's clock (instances' clocks may be seconds apart),
// fencing tokens that stop a holder who paused past its expiry.
import { afterEach, describe, expect, it, vi } from "vitest";
import { assertLeaseHeld, createLeases, LeaseLostError } from "../../src/cluster/leases.ts";
import { openDb } from "../../src/db/client.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let t: TempDb | undefined;
const extra: { $disconnect(): Promise<void> }[] = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const d of extra.splice(0)) await d.$disconnect();
  await t?.cleanup();
  t = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` while this process's wall clock reads `offsetMs` off (as on a skewed machine). */
async function withSkew<T>(offsetMs: number, fn: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["Date"], now: Date.now() + offsetMs });
  try {
    return await fn();
  } finally {
    vi.useRealTimers();
  }
}

describe("leases", () => {
  it("one holder at a time; a released lease goes to the next with a larger token", async () => {
    t = await createTempDb();
    const a = createLeases({ db: t.db, holder: "a" });
    const b = createLeases({ db: t.db, holder: "b" });
    const la = await a.acquire("job:x", 10_000);
    expect(la).toMatchObject({ name: "job:x", holder: "a", token: 1 });
    expect(await b.acquire("job:x", 10_000)).toBeNull();
    expect(await a.acquire("job:x", 10_000)).toBeNull(); // not re-entrant either
    expect(await b.acquire("job:y", 10_000)).toMatchObject({ holder: "b", token: 1 }); // names are independent
    await a.release(la!);
    const lb = await b.acquire("job:x", 10_000);
    expect(lb).toMatchObject({ holder: "b", token: 2 });
    expect(await a.renew(la!)).toBe(false); // the old holding cannot be revived
    expect(await b.state("job:x")).toMatchObject({ holder: "b", token: 2, live: true });
  });

  it("many instances racing for one lease: exactly one gets it", async () => {
    t = await createTempDb();
    // Separate connections (pools) like separate processes.
    const dbs = [t.db];
    for (let i = 0; i < 3; i++) {
      const d = await openDb(t.target);
      extra.push(d);
      dbs.push(d);
    }
    const racers = Array.from({ length: 12 }, (_, i) => createLeases({ db: dbs[i % dbs.length]!, holder: `i${i}` }));
    const got = await Promise.all(racers.map((l) => l.acquire("poll:telegram", 10_000)));
    expect(got.filter(Boolean)).toHaveLength(1);
  });

  it("expires by the database's clock: renewal keeps it, silence lets another take over", async () => {
    t = await createTempDb();
    const a = createLeases({ db: t.db, holder: "a" });
    const b = createLeases({ db: t.db, holder: "b" });
    const la = (await a.acquire("job:x", 600))!;
    for (let i = 0; i < 4; i++) {
      await sleep(250);
      expect(await a.renew(la)).toBe(true); // kept past its first ttl by renewing
      expect(await b.acquire("job:x", 600)).toBeNull();
    }
    await sleep(750); // a went silent (killed): the lease runs out
    const lb = await b.acquire("job:x", 600);
    expect(lb).toMatchObject({ holder: "b", token: 2 });
    expect(await a.renew(la)).toBe(false);
    expect(a.valid(la)).toBe(false);
  });

  it("instance clocks seconds apart do not make two holders", async () => {
    t = await createTempDb();
    const a = createLeases({ db: t.db, holder: "a" });
    const b = createLeases({ db: t.db, holder: "b" });
    // a's clock is 5 s behind; it takes a 3 s lease.
    const la = await withSkew(-5000, () => a.acquire("job:x", 3000));
    expect(la).not.toBeNull();
    // b's clock is 5 s ahead: by its clock a's lease ended 7 s ago, yet it is still a's.
    expect(await withSkew(+5000, () => b.acquire("job:x", 3000))).toBeNull();
    expect(await withSkew(+5000, () => b.state("job:x"))).toMatchObject({ holder: "a", live: true });
    // a, behind, can renew (its clock thinks the lease has 8 s left; the database decides).
    expect(await withSkew(-5000, () => a.renew(la!))).toBe(true);
  });

  it("the holder stops believing before the database lets another take over", async () => {
    t = await createTempDb();
    let mono = 1_000;
    const a = createLeases({ db: t.db, holder: "a", monotonic: () => mono });
    const la = (await a.acquire("poll:max", 10_000))!;
    expect(a.valid(la)).toBe(true);
    mono += 8_999; // ttl − margin (1 s) after the request was sent
    expect(a.valid(la)).toBe(true);
    mono += 2;
    expect(a.valid(la)).toBe(false);
  });

  it("fencing: a holder that paused past its expiry cannot write after its successor took over", async () => {
    t = await createTempDb();
    const a = createLeases({ db: t.db, holder: "a" });
    const b = createLeases({ db: t.db, holder: "b" });
    const la = (await a.acquire("job:purge", 300))!;
    await t.db.$transaction(async (tx) => {
      await assertLeaseHeld(tx, la);
      await tx.pollCursor.create({ data: { channel: "a-1", position: "1", updatedAt: new Date() } });
    });
    await sleep(450); // a paused (GC, a stalled disk) past its expiry
    const lb = (await b.acquire("job:purge", 10_000))!;
    await expect(
      t.db.$transaction(async (tx) => {
        await tx.pollCursor.create({ data: { channel: "a-2", position: "2", updatedAt: new Date() } });
        await assertLeaseHeld(tx, la);
      }),
    ).rejects.toBeInstanceOf(LeaseLostError);
    await t.db.$transaction((tx) => assertLeaseHeld(tx, lb));
    expect((await t.db.pollCursor.findMany()).map((r) => r.channel)).toEqual(["a-1"]);
  });

  it("release with a hold keeps everyone out until then, its holder included", async () => {
    t = await createTempDb();
    const a = createLeases({ db: t.db, holder: "a" });
    const b = createLeases({ db: t.db, holder: "b" });
    const la = (await a.acquire("job:reminders", 10_000))!;
    await a.release(la, 500);
    expect(await a.acquire("job:reminders", 10_000)).toBeNull();
    expect(await b.acquire("job:reminders", 10_000)).toBeNull();
    await sleep(600);
    expect(await b.acquire("job:reminders", 10_000)).toMatchObject({ holder: "b", token: 2 });
  });
});
