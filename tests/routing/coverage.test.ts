import { describe, expect, it } from "vitest";
import { CATEGORIES } from "../../src/domain/taxonomy.ts";
import { coverageGaps, coverageMatrix } from "../../src/routing/coverage.ts";
import { filesToSnapshot } from "../../src/routing/routing-file.ts";
import { DEMO_ROUTING_FILES, readRoutingFile } from "../../src/routing/routing-store.ts";

const demo = filesToSnapshot(DEMO_ROUTING_FILES.map(readRoutingFile));
const NOON = new Date("2026-11-25T12:00:00+04:00");
const NIGHT = new Date("2026-11-25T23:00:00+04:00");

describe("coverageMatrix", () => {
  it("has a region-wide row, a row per municipality and a column per category", () => {
    const m = coverageMatrix(demo, "63", "P2", NOON);
    expect(m.columns).toEqual(CATEGORIES);
    expect(m.rows[0]).toMatchObject({ municipalityId: null, municipalityKey: null });
    expect(
      m.rows
        .slice(1)
        .map((r) => r.municipalityKey)
        .sort(),
    ).toEqual(["oktyabrsk", "samara", "shigony-district", "syzran", "syzran-district", "tolyatti"]);
    for (const row of m.rows) expect(row.cells.map((c) => c.category)).toEqual([...CATEGORIES]);
  });

  it("shows where each category goes, the same way the engine routes", () => {
    const m = coverageMatrix(demo, "63", "P2", NOON);
    const cell = (municipality: string | null, category: string) =>
      m.rows.find((r) => r.municipalityKey === municipality)!.cells.find((c) => c.category === category)!;
    expect(
      m.rows
        .find((r) => r.municipalityKey === "syzran")!
        .cells.every((c) => c.queueKey === "samara-team-syzran"),
    ).toBe(true);
    expect(cell(null, "suicide_crisis")).toMatchObject({
      queueKey: "samara-crisis-24x7",
      reason: "rule",
      ruleKey: "acute-crisis-line",
    });
    expect(cell(null, "housing")).toMatchObject({
      queueKey: "samara-default",
      reason: "region_default",
      ruleKey: null,
      isFederalFallback: false,
    });
    expect(cell("tolyatti", "housing").queueKey).toBe("samara-default");
  });

  it("marks the federal fallback and the night overflow", () => {
    const empty = coverageMatrix(demo, "01", "P2", NOON);
    expect(empty.rows).toHaveLength(1);
    expect(empty.rows[0]!.cells.every((c) => c.isFederalFallback && c.queueKey === "federal-fallback")).toBe(
      true,
    );
    const night = coverageMatrix(demo, "63", "P1", NIGHT);
    expect(night.rows.find((r) => r.municipalityKey === "shigony-district")!.cells[0]).toMatchObject({
      queueKey: "samara-crisis-24x7",
      overflow: true,
    });
  });

  it("takes flags into account", () => {
    const m = coverageMatrix(demo, "54", "P2", NOON, ["child_under_4"]);
    const queues = Object.fromEntries(m.rows[0]!.cells.map((c) => [c.category, c.queueKey]));
    // Legal aid has a category rule (КЦСОН), which is more specific than the under-4 flag rule.
    expect(queues).toEqual({
      ...Object.fromEntries(CATEGORIES.map((c) => [c, "nsk-deti-v-seme-under4"])),
      legal_docs: "nsk-kcson-social",
    });
  });
});

describe("coverageGaps", () => {
  const noFederal24x7 = { ...demo, centers: demo.centers.map((c) => (c.regionCode === null ? { ...c, is24x7: false } : c)) };
  it("finds no gap where the chain ends in a 24/7 queue", () => {
    for (const region of ["63", "67", "72", "54", "01"]) expect(coverageGaps(demo, region, NOON).gapHours).toBe(0);
  });
  it("marks every hour outside the centers' hours for a region without a 24/7 queue, and none for Samara (own 24/7 line)", () => {
    const tyumen = coverageGaps(noFederal24x7, "72", NOON);
    expect(tyumen.timezone).toBe("Asia/Yekaterinburg");
    expect(tyumen.gapHours).toBe(7 * 24 - 5 * 9);
    expect(tyumen.week[2]![8]).toMatchObject({ weekday: 2, hour: 8, urgencies: ["P0", "P1"] });
    expect(tyumen.week[2]![8]!.queueNames).toContain("Семейный центр: общая очередь");
    expect(tyumen.week[2]![9]!.urgencies).toEqual([]);
    expect(tyumen.week[5]!.every((c) => c.urgencies.length === 2)).toBe(true);
    expect(coverageGaps(noFederal24x7, "63", NOON).gapHours).toBe(0);
    expect(coverageGaps(noFederal24x7, "01", NOON).gapHours).toBe(168);
  });
});
