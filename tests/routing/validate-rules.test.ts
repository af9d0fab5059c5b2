import { describe, expect, it } from "vitest";
import { filesToSnapshot } from "../../src/routing/routing-file.ts";
import { DEMO_ROUTING_FILES, readRoutingFile } from "../../src/routing/routing-store.ts";
import type { RoutingRuleData, RoutingSnapshot } from "../../src/routing/types.ts";
import { validateRoutingSnapshot } from "../../src/routing/validate-rules.ts";
import { ruleData } from "./rule-data.ts";

const rule = (key: string, extra: Partial<RoutingRuleData> = {}) => ruleData(key, "q1", extra);
function world(rules: RoutingRuleData[]): RoutingSnapshot {
  const c = {
    regionCode: "63",
    municipalityId: null,
    publicPhone: "+7 000 000-00-01",
    hours: {},
    is24x7: false,
    active: true,
  };
  return {
    regions: [{ code: "63", name: "Самарская область", timezone: "Europe/Samara" }],
    municipalities: [
      { id: "m1", key: "syzran", regionCode: "63", name: "Сызрань" },
      { id: "m2", key: "oktyabrsk", regionCode: "63", name: "Октябрьск" },
    ],
    centers: [
      { id: "c1", key: "c1", name: "Центр 1", ...c },
      { id: "fed", key: "fed", name: "Резерв", ...c, regionCode: null, is24x7: true },
    ],
    queues: [
      {
        id: "q1",
        key: "q1",
        name: "Очередь 1",
        centerId: "c1",
        isDefault: true,
        isFallback: false,
        active: true,
      },
      {
        id: "q2",
        key: "q2",
        name: "Очередь 2",
        centerId: "c1",
        isDefault: false,
        isFallback: false,
        active: true,
      },
      {
        id: "qf",
        key: "qf",
        name: "Резерв",
        centerId: "fed",
        isDefault: false,
        isFallback: true,
        active: true,
      },
    ],
    rules,
  };
}
const codes = (s: RoutingSnapshot, region?: string) => validateRoutingSnapshot(s, region).map((i) => i.code);

describe("validateRoutingSnapshot", () => {
  it("finds nothing wrong with the demo data", () => {
    expect(validateRoutingSnapshot(filesToSnapshot(DEMO_ROUTING_FILES.map(readRoutingFile)))).toEqual([]);
  });

  it.each([
    [
      "same categories, same priority",
      rule("a", { categories: ["housing"] }),
      rule("b", { categories: ["housing", "violence"], queueId: "q2" }),
      true,
    ],
    ["both region-wide catch-alls", rule("a"), rule("b", { queueId: "q2" }), true],
    [
      "different flags can be set together",
      rule("a", { flags: ["child_under_4"] }),
      rule("b", { flags: ["pregnancy"] }),
      true,
    ],
    ["same municipality", rule("a", { municipalityId: "m1" }), rule("b", { municipalityId: "m1" }), true],
    [
      "different priority",
      rule("a", { categories: ["housing"] }),
      rule("b", { categories: ["housing"], priority: 1 }),
      false,
    ],
    [
      "disjoint categories",
      rule("a", { categories: ["housing"] }),
      rule("b", { categories: ["violence"] }),
      false,
    ],
    [
      "different municipalities",
      rule("a", { municipalityId: "m1" }),
      rule("b", { municipalityId: "m2" }),
      false,
    ],
    ["different urgency", rule("a", { urgency: "P0" }), rule("b", { urgency: "P1" }), false],
    [
      "different specificity",
      rule("a", { categories: ["housing"] }),
      rule("b", { flags: ["pregnancy"] }),
      false,
    ],
    ["one of them inactive", rule("a"), rule("b", { active: false }), false],
    ["different regions", rule("a"), rule("b", { regionCode: "67" }), false],
  ])("ambiguity: %s → %s", (_name, a, b, ambiguous) => {
    const found = validateRoutingSnapshot(world([a, b]), "63").filter((i) => i.code === "ambiguous_rules");
    expect(found.length > 0).toBe(ambiguous);
    if (ambiguous) expect(found[0]).toMatchObject({ path: "rules[b]", entity: { kind: "rule", key: "b" } });
  });

  it("reports broken references with the entity and the bad value", () => {
    const issues = validateRoutingSnapshot(
      world([
        rule("no-queue", { queueId: "gone" }),
        rule("no-municipality", { municipalityId: "m9", categories: ["housing"] }),
        rule("region", { regionCode: "99" }),
      ]),
    );
    expect(issues).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          path: "rules[no-queue].queue",
          code: "missing_queue",
          message: 'unknown queue "gone"',
        }),
        expect.objectContaining({
          path: "rules[no-municipality].municipality",
          code: "unknown_municipality",
        }),
        expect.objectContaining({
          path: "rules[region].region",
          code: "unknown_region",
          message: 'unknown region "99"',
        }),
      ]),
    );
  });

  it("reports active rules on inactive queues or centers, duplicate keys and two defaults", () => {
    const w = world([rule("a", { queueId: "q2" })]);
    w.queues[1]!.active = false;
    expect(codes(w, "63")).toEqual(["inactive_queue"]);
    w.queues[1]!.active = true;
    w.centers[0]!.active = false;
    expect(codes(w, "63")).toContain("inactive_queue");
    const dup = world([rule("a"), rule("a", { categories: ["housing"] })]);
    expect(codes(dup, "63")).toEqual(["duplicate_key"]);
    const twoDefaults = world([]);
    twoDefaults.queues[1]!.isDefault = true;
    expect(validateRoutingSnapshot(twoDefaults, "63")).toMatchObject([
      { code: "multiple_default_queues", path: "queues[q2].default" },
    ]);
  });

  it("checks the federal fallback only for the whole snapshot or the federal scope", () => {
    const w = world([]);
    w.queues = w.queues.filter((q) => !q.isFallback);
    expect(codes(w)).toEqual(["missing_fallback"]);
    expect(codes(w, "federal")).toEqual(["missing_fallback"]);
    expect(codes(w, "63")).toEqual([]);
  });
});
