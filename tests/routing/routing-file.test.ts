import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRoutingFile } from "../../src/routing/routing-file.ts";
import { DEMO_ROUTING_FILES } from "../../src/routing/routing-store.ts";

const readJson = (path: string) => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const samaraPath = DEMO_ROUTING_FILES.find((f) => f.endsWith("63-samara.json"))!;
const federalPath = DEMO_ROUTING_FILES.find((f) => f.endsWith("federal.json"))!;

// biome-ignore lint/suspicious/noExplicitAny: tests edit raw JSON freely
type Json = any;
function samara(edit: (f: Json) => void): unknown {
  const f = readJson(samaraPath);
  edit(f);
  return f;
}

describe("parseRoutingFile", () => {
  it("accepts every demo file and fills in defaults", () => {
    for (const path of DEMO_ROUTING_FILES) {
      const r = parseRoutingFile(readJson(path));
      expect(r, path).toMatchObject({ type: "ok" });
    }
    const r = parseRoutingFile(readJson(samaraPath));
    if (r.type !== "ok" || "federal" in r.file) throw new Error("expected a region file");
    expect(r.file.region).toBe("63");
    expect(r.file.rules[0]).toMatchObject({ categories: [], flags: [], active: true });
    expect(r.file.queues.find((q) => q.key === "samara-default")?.default).toBe(true);
  });

  const cases: [string, (f: Json) => void, string, string][] = [
    [
      "a rule pointing at a missing queue",
      (f) => {
        f.rules[3].queue = "x";
      },
      "rules[3].queue",
      'unknown queue "x"',
    ],
    [
      "an unknown region",
      (f) => {
        f.region = "99";
      },
      "region",
      'unknown region "99"',
    ],
    [
      "a malformed region code",
      (f) => {
        f.region = "063";
      },
      "region",
      'invalid region code "063"',
    ],
    [
      "an unknown category",
      (f) => {
        f.rules[2].categories = ["housing", "foo"];
      },
      "rules[2].categories[1]",
      'unknown category "foo"',
    ],
    [
      "an unknown flag",
      (f) => {
        f.rules[1].flags = ["child_under_5"];
      },
      "rules[1].flags[0]",
      'unknown flag "child_under_5"',
    ],
    [
      "an unknown urgency",
      (f) => {
        f.rules[0].urgency = "P9";
      },
      "rules[0].urgency",
      'unknown urgency "P9"',
    ],
    [
      "a rule naming an unknown municipality",
      (f) => {
        f.rules[0].municipality = "atlantis";
      },
      "rules[0].municipality",
      'unknown municipality "atlantis"',
    ],
    [
      "a center naming an unknown municipality",
      (f) => {
        f.centers[2].municipality = "atlantis";
      },
      "centers[2].municipality",
      'unknown municipality "atlantis"',
    ],
    [
      "a queue naming an unknown center",
      (f) => {
        f.queues[1].center = "nowhere";
      },
      "queues[1].center",
      'unknown center "nowhere"',
    ],
    [
      "a duplicate queue key",
      (f) => {
        f.queues[4].key = f.queues[2].key;
      },
      "queues[4].key",
      'duplicate queue key "samara-team-syzran" (also queues[2])',
    ],
    [
      "a duplicate rule key",
      (f) => {
        f.rules[1].key = "syzran-all";
      },
      "rules[1].key",
      'duplicate rule key "syzran-all"',
    ],
    [
      "an invalid key",
      (f) => {
        f.rules[0].key = "Сызрань все";
      },
      "rules[0].key",
      'invalid key "Сызрань все"',
    ],
    [
      "a misspelt field",
      (f) => {
        f.rules[4].prority = 3;
      },
      "rules[4].prority",
      'unknown field "prority"',
    ],
    [
      "a missing name",
      (f) => {
        delete f.centers[0].name;
      },
      "centers[0].name",
      "is required",
    ],
    [
      "an overnight interval",
      (f) => {
        f.centers[0].hours.mon = [["20:00", "08:00"]];
      },
      "centers[0].hours.mon[0]",
      "must start before it ends",
    ],
    [
      "a bad time",
      (f) => {
        f.centers[1].hours.tue = [["9:00", "18:00"]];
      },
      "centers[1].hours.tue[0][0]",
      'invalid time "9:00"',
    ],
    [
      "a bad phone",
      (f) => {
        f.centers[3].publicPhone = "позвоните нам";
      },
      "centers[3].publicPhone",
      'invalid phone "позвоните нам"',
    ],
    [
      "a second default queue",
      (f) => {
        f.queues[3].default = true;
      },
      "queues[3].default",
      "more than one default queue",
    ],
    [
      "an active rule on an inactive queue",
      (f) => {
        f.queues[2].active = false;
      },
      "rules[0].queue",
      'inactive queue "samara-team-syzran"',
    ],
    [
      "an active rule on an inactive municipality",
      (f) => {
        f.municipalities[3].active = false;
        f.centers[5].active = false;
      },
      "rules[3].municipality",
      'municipality "shigony-district" is inactive',
    ],
    [
      "two equally specific overlapping rules",
      (f) => {
        f.rules.push({
          key: "violence-default",
          categories: ["violence", "child_danger"],
          queue: "samara-default",
          priority: 10,
        });
      },
      "rules[5]",
      'rules "acute-crisis-line" and "violence-default" are equally specific, have the same priority 10 and can both match one request (e.g. category child_danger)',
    ],
  ];

  it.each(cases)("points at %s", (_name, edit, path, message) => {
    const r = parseRoutingFile(samara(edit));
    expect(r.type).toBe("error");
    if (r.type !== "error") return;
    const issue = r.issues.find((i) => i.path === path);
    expect(issue, JSON.stringify(r.issues)).toBeDefined();
    expect(issue?.message).toContain(message);
  });

  it("reports every problem at once", () => {
    const r = parseRoutingFile(
      samara((f) => {
        f.rules[0].queue = "a";
        f.rules[1].queue = "b";
      }),
    );
    expect(r.type === "error" && r.issues.map((i) => i.path)).toEqual(["rules[0].queue", "rules[1].queue"]);
  });

  it("accepts a non-overlapping rule of equal specificity and priority", () => {
    const r = parseRoutingFile(
      samara((f) => {
        f.rules.push({ key: "housing", categories: ["housing"], queue: "samara-default", priority: 10 });
      }),
    );
    expect(r.type).toBe("ok");
  });

  it("validates the federal file: exactly one fallback queue, no rules", () => {
    const federal = readJson(federalPath) as Json;
    expect(parseRoutingFile(federal).type).toBe("ok");
    const noFallback = structuredClone(federal);
    noFallback.queues[0].fallback = false;
    expect(parseRoutingFile(noFallback)).toMatchObject({
      type: "error",
      issues: [{ code: "missing_fallback" }],
    });
    const withRules = { ...structuredClone(federal), rules: [] };
    expect(parseRoutingFile(withRules)).toMatchObject({
      type: "error",
      issues: [{ path: "rules", message: 'unknown field "rules"' }],
    });
  });

  it("refuses what is not an object and a wrong version", () => {
    expect(parseRoutingFile([])).toMatchObject({ type: "error", issues: [{ path: "(file)" }] });
    expect(parseRoutingFile({ ...readJson(samaraPath), version: 2 })).toMatchObject({
      type: "error",
      issues: [{ path: "version", message: "unsupported version: expected 1" }],
    });
  });
});
