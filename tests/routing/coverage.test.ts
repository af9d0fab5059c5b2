import { describe, expect, it } from "vitest";
import { CATEGORIES } from "../../src/domain/taxonomy.ts";
import { coverageMatrix } from "../../src/routing/coverage.ts";
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
