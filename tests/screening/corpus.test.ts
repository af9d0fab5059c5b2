import { describe, expect, it } from "vitest";
import { screenRedFlags } from "../../src/screening/red-flags.ts";
import { readCorpus } from "./corpus.ts";

// Thresholds from issue 11: danger is found (recall) and not invented (false alarms).
const P0_RECALL_MIN = 0.97;
const P1_RAISED_MIN = 0.9;
const NONE_P0_MAX = 0.03;

const items = readCorpus();
const levelOf = (text: string) => {
  const r = screenRedFlags(text);
  return r.type === "hit" ? r.level : null;
};
const pct = (n: number, d: number) => `${((100 * n) / d).toFixed(1)} % (${n}/${d})`;

describe("labelled corpus", () => {
  const p0 = items.filter((i) => i.label === "P0");
  const p1 = items.filter((i) => i.label === "P1");
  const none = items.filter((i) => i.label === "none");

  it("has at least 400 messages of every kind", () => {
    expect(items.length).toBeGreaterThanOrEqual(400);
    expect(p0.length).toBeGreaterThanOrEqual(100);
    expect(p1.length).toBeGreaterThanOrEqual(100);
    expect(none.length).toBeGreaterThanOrEqual(150);
    expect(new Set(items.map((i) => i.text)).size).toBe(items.length);
  });

  it("finds danger and does not invent it", () => {
    const missedP0 = p0.filter((i) => levelOf(i.text) !== "P0");
    const missedP1 = p1.filter((i) => levelOf(i.text) === null);
    const falseP0 = none.filter((i) => levelOf(i.text) === "P0");
    const p1AsP0 = p1.filter((i) => levelOf(i.text) === "P0");
    const lines = [
      `red-flag corpus: ${items.length} messages`,
      `  P0 found:                  ${pct(p0.length - missedP0.length, p0.length)}  (min ${P0_RECALL_MIN * 100} %)`,
      `  P1 raised to at least P1:  ${pct(p1.length - missedP1.length, p1.length)}  (min ${P1_RAISED_MIN * 100} %)`,
      `  no danger raised to P0:    ${pct(falseP0.length, none.length)}  (max ${NONE_P0_MAX * 100} %)`,
      `  P1 over-raised to P0:      ${pct(p1AsP0.length, p1.length)}  (reported, no threshold)`,
      ...missedP0.map((i) => `  missed P0 ${i.where}: ${i.text}`),
      ...missedP1.map((i) => `  missed P1 ${i.where}: ${i.text}`),
      ...falseP0.map((i) => `  false P0 ${i.where}: ${i.text}`),
      ...p1AsP0.map((i) => `  P1 as P0 ${i.where}: ${i.text}`),
    ];
    console.log(lines.join("\n"));
    expect((p0.length - missedP0.length) / p0.length).toBeGreaterThanOrEqual(P0_RECALL_MIN);
    expect((p1.length - missedP1.length) / p1.length).toBeGreaterThanOrEqual(P1_RAISED_MIN);
    expect(falseP0.length / none.length).toBeLessThanOrEqual(NONE_P0_MAX);
  });
});
