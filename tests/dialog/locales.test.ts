import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CATEGORIES } from "../../src/domain/taxonomy.ts";
import { CHECKS } from "../../src/dialog/flow.ts";
import { FAMILY_FLAGS } from "../../src/dialog/state.ts";
import { LOCALES } from "../../src/i18n/i18n.ts";
import { i18n } from "./fixture.ts";

// Every engine file (the steps included), the service and the console channel.
const SOURCES = [
  ...readdirSync("src/dialog", { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts")).map((f) => `src/dialog/${f}`),
  "src/channels/console/console-channel.ts",
];

/** Keys written literally in code (t("…"), say("…"), words("…")) plus the families built at run time. */
function usedKeys(): string[] {
  const keys = new Set<string>();
  for (const file of SOURCES) {
    for (const m of readFileSync(file, "utf8").matchAll(/\b(?:t|say|words)\("([a-z][a-z0-9_-]*)"/g)) keys.add(m[1]!);
  }
  for (const c of CATEGORIES) keys.add(`cat-${c.replaceAll("_", "-")}`);
  for (const f of FAMILY_FLAGS) keys.add(`flag-${f.replaceAll("_", "-")}`);
  for (const c of CHECKS) keys.add(c.key);
  for (const c of CHECKS) if (c.raise === "P0") keys.add(`urgent-${c.key}`);
  for (const m of ["call", "message"]) keys.add(`opt-method-${m}`);
  for (const t of ["morning", "day", "evening", "any"]) keys.add(`opt-time-${t}`);
  for (const s of ["new", "in_progress", "contacted", "unreachable", "resolved", "closed"]) keys.add(`status-${s}`);
  for (const d of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) keys.add(`promise-on-${d}`);
  for (const r of ["too-short", "not-a-number", "invalid"]) keys.add(`phone-invalid-${r}`);
  for (const d of ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]) keys.add(`day-${d}`);
  return [...keys];
}

describe("dialog locales", () => {
  it("ru and en have the same keys", () => {
    const ru = new Set(i18n.keys("ru"));
    const en = new Set(i18n.keys("en"));
    expect([...ru].filter((k) => !en.has(k))).toEqual([]);
    expect([...en].filter((k) => !ru.has(k))).toEqual([]);
  });

  it("every key the code uses exists and renders in both languages", () => {
    const keys = usedKeys();
    expect(keys.length).toBeGreaterThan(100);
    const args = { numbers: "112", count: 2, max: 1000, page: 1, pages: 2, list: "x", number: "63-00001", region: "R", center: "C", phone: "+7", hours: "h", operator: "O", recipient: "R", days: 180, version: "v", text: "t", name: "n", method: "m", time: "t", when: "w", status: "s", date: "d", id: "i", code: "c", what: "w", category: "c", flag: "f", level: "P1" };
    for (const locale of LOCALES) {
      for (const key of keys) {
        expect(i18n.has(locale, key), `${locale}: ${key}`).toBe(true);
        const out = i18n.t(locale, key, args);
        expect(out, `${locale}: ${key}`).not.toMatch(/\{\$|\{ \$|undefined/);
      }
    }
  });

  it("Russian plural forms", () => {
    expect(i18n.t("ru", "status-list", { count: 1 })).toContain("1 заявка");
    expect(i18n.t("ru", "status-list", { count: 3 })).toContain("3 заявки");
    expect(i18n.t("ru", "status-list", { count: 5 })).toContain("5 заявок");
    expect(i18n.t("ru", "status-list", { count: 21 })).toContain("21 заявка");
    expect(i18n.t("ru", "erase-done", { count: 0 })).toContain("не было");
    expect(i18n.t("ru", "erase-done", { count: 2 })).toContain("2 заявок");
  });
});
