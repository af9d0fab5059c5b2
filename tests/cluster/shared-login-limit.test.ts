// The login limit holds across instances: two instances (each its own throttle and database
// client, one database, one clock) see one count, so failures spread over both by a load balancer
// make the sixth try wait just as on one instance, and one address spraying many accounts is
// stopped after the same number of failures in total.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createSharedLoginThrottle, type LoginThrottle } from "../../src/auth/login-throttle.ts";
import { type Db, openDb } from "../../src/db/client.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let tmp: TempDb;
let dbB: Db;
let t = Date.parse("2026-12-01T10:00:00Z");
const clock = () => new Date(t);

beforeEach(async () => {
  tmp = await createTempDb();
  dbB = await openDb(tmp.target);
});
afterEach(async () => {
  await dbB.$disconnect();
  await tmp.cleanup();
});

async function fail(throttle: LoginThrottle, ip: string, email: string) {
  const d = await throttle.check(ip, email);
  if (d.type === "allowed") await throttle.recordFailure(ip, email);
  return d;
}

describe("login limit shared by two instances", () => {
  it("failures alternating between the instances add up: the sixth try waits on either, a success clears it", async () => {
    const a = createSharedLoginThrottle({ db: tmp.db, clock });
    const b = createSharedLoginThrottle({ db: dbB, clock });
    for (let i = 0; i < 5; i++) expect((await fail(i % 2 ? a : b, "198.51.100.7", "op@center.example")).type).toBe("allowed");
    // Five failures in total (3 on b, 2 on a): the next try waits on both instances.
    expect(await a.check("198.51.100.7", "op@center.example")).toEqual({ type: "wait", retryAfterSeconds: 2 });
    expect(await b.check("198.51.100.7", "OP@center.example ")).toEqual({ type: "wait", retryAfterSeconds: 2 });
    // Another address for the same account is not held up by this streak.
    expect((await b.check("203.0.113.9", "op@center.example")).type).toBe("allowed");
    b.release("203.0.113.9", "op@center.example");
    t += 2_000;
    expect((await fail(b, "198.51.100.7", "op@center.example")).type).toBe("allowed");
    expect(await a.check("198.51.100.7", "op@center.example")).toEqual({ type: "wait", retryAfterSeconds: 4 }); // doubled
    t += 4_000;
    expect((await a.check("198.51.100.7", "op@center.example")).type).toBe("allowed");
    await a.recordSuccess("198.51.100.7", "op@center.example");
    expect((await b.check("198.51.100.7", "op@center.example")).type).toBe("allowed");
    b.release("198.51.100.7", "op@center.example");
  });

  it("one address spraying accounts over both instances is stopped after 50 failures in total, for the window", async () => {
    const a = createSharedLoginThrottle({ db: tmp.db, clock });
    const b = createSharedLoginThrottle({ db: dbB, clock });
    for (let i = 0; i < 50; i++) expect((await fail(i % 2 ? a : b, "192.0.2.55", `guess${i}@example.org`)).type).toBe("allowed");
    const d = await a.check("192.0.2.55", "someone-new@example.org");
    expect(d.type).toBe("wait");
    expect(d.type === "wait" && d.retryAfterSeconds).toBe(15 * 60);
    expect((await b.check("192.0.2.55", "another@example.org")).type).toBe("wait");
    // Nothing personal is stored: keys are hashes.
    const rows = await tmp.db.loginFailure.findMany({ select: { key: true } });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((r) => r.key.includes("192.0.2.55") || r.key.includes("@"))).toBe(false);
    t += 15 * 60_000;
    expect((await b.check("192.0.2.55", "another@example.org")).type).toBe("allowed");
  });
});
