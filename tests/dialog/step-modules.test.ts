// The engine split by responsibility (issue 12.8): every stored step id has exactly one module, the
// modules are reached through the flow's lists, and the engine files import no framework.
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { NORMAL_ORDER, STEP_MODULES, stepModule, URGENT_ORDER } from "../../src/dialog/flow.ts";
import { STEP_IDS } from "../../src/dialog/state.ts";

describe("dialog step modules", () => {
  it("every step id of the stored state has its module, and every module's id is a stored step id", () => {
    for (const id of STEP_IDS) expect(stepModule(id).id).toBe(id);
    expect([...STEP_MODULES.keys()].sort()).toEqual([...STEP_IDS].sort());
  });

  it("every step in the orders has a slot, and a slot names its own step", () => {
    for (const e of [...NORMAL_ORDER, ...URGENT_ORDER]) {
      if ("gate" in e) continue;
      expect(e.slot?.step, e.id).toBe(e.id);
    }
  });

  it("the engine files import no framework (grammY, MAX, Prisma, Fastify)", () => {
    const files = readdirSync("src/dialog", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
    // The service and the conversation store talk to the database; everything else is pure.
    const pure = files.filter((f) => !["dialog-service.ts", "conversation-store.ts", "consent.ts"].includes(f));
    expect(pure.length).toBeGreaterThan(30);
    for (const f of pure) {
      const src = readFileSync(`src/dialog/${f}`, "utf8");
      expect(src, f).not.toMatch(/from "(grammy|@maxhub|@prisma|fastify|\.\.\/db\/|\.\.\/channels\/)/);
    }
  });
});
