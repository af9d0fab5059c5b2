// `npm run routing -- explain --at` in process (the spawned CLI is covered by cli.test.ts): a local
// time without an offset is the region's own, and the overflow along the 24/7 chain is shown.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runRoutingCli } from "../../src/cli/routing.ts";
import { loadDemoRoutingIfEmpty } from "../../src/routing/routing-store.ts";
import { quietLog } from "../dialog/db-fixture.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

let t: TempDb;
beforeEach(async () => {
  t = await createTempDb();
  await loadDemoRoutingIfEmpty(t.db, quietLog, new Date("2026-11-01T00:00:00Z"));
});
afterEach(async () => {
  await t.cleanup();
});

async function explain(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runRoutingCli(["explain", ...args], {
    env: t.target.engine === "postgresql" ? { DATABASE_URL: t.target.url } : { DATABASE_FILE: t.file },
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  return { code, stdout: out.join("\n"), stderr: err.join("\n") };
}

describe("routing explain at night", () => {
  it("a Tyumen P0 at 02:00 local goes to the federal 24/7 reserve", async () => {
    const r = await explain("--region", "72", "--categories", "violence", "--urgency", "P0", "--at", "2026-11-25T02:00");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain("queue:    federal-fallback");
    expect(r.stdout).toContain("placed:   region default queue; the rules chose tyumen-default, closed at that time");
    expect(r.stdout).toContain("overflow: to the federal 24/7 reserve (no 24/7 queue in the region)");
    expect(r.stdout).toContain("local:    ср 02:00 (Asia/Yekaterinburg)");
  });

  it("a P2 at the same time stays and says when the center opens; an offset time is still accepted", async () => {
    const r = await explain("--region", "72", "--categories", "housing", "--urgency", "P2", "--at", "2026-11-24T21:00:00Z");
    expect(r.stdout).toContain("queue:    tyumen-default");
    expect(r.stdout).toContain("overflow: none");
    expect(r.stdout).toContain("local:    ср 02:00 (Asia/Yekaterinburg)");
    expect(r.stdout).toContain("open now: no, opens ср 09:00 local time");
  });

  it("a coverage gap is named when even the federal reserve is not 24/7", async () => {
    await t.db.center.update({ where: { key: "federal-opora-reserve" }, data: { is24x7: false } });
    const r = await explain("--region", "72", "--categories", "violence", "--urgency", "P0", "--at", "2026-11-25T02:00");
    expect(r.stdout).toContain("overflow: none possible: COVERAGE GAP");
  });

  it("a bad --at gets one clear line", async () => {
    const r = await explain("--region", "72", "--at", "tonight");
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('invalid --at "tonight"');
  });
});
