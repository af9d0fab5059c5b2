import { describe, expect, it } from "vitest";
import { CATEGORIES, type Category, FLAGS, type Flag, URGENCIES, type Urgency } from "../../src/domain/taxonomy.ts";
import { chosenPlacement, nextInChain, routeRequest, ruleSpecificity } from "../../src/routing/engine.ts";
import { filesToSnapshot } from "../../src/routing/routing-file.ts";
import { DEMO_ROUTING_FILES, readRoutingFile } from "../../src/routing/routing-store.ts";
import type {
  RoutingCenter,
  RoutingQueue,
  RoutingRuleData,
  RoutingSnapshot,
} from "../../src/routing/types.ts";
import { ruleData as rule } from "./rule-data.ts";

const demo = filesToSnapshot(DEMO_ROUTING_FILES.map(readRoutingFile));

/** The demo data with the federal reserve no longer 24/7: regions without their own 24/7 queue get a gap. */
function withoutFederal24x7(s: RoutingSnapshot): RoutingSnapshot {
  return { ...s, centers: s.centers.map((c) => (c.regionCode === null ? { ...c, is24x7: false } : c)) };
}

// 2026-11-25 is a Wednesday. Samara is UTC+4, Tyumen UTC+5, Novosibirsk UTC+7, Smolensk UTC+3.
const WED_NOON_SAMARA = new Date("2026-11-25T12:00:00+04:00");
const WED_NIGHT_SAMARA = new Date("2026-11-25T23:00:00+04:00");

interface Case {
  name: string;
  region: string;
  municipality?: string;
  categories: Category[];
  urgency?: Urgency;
  flags?: Flag[];
  at?: Date;
  queue: string;
  reason: "rule" | "region_default" | "federal_fallback";
  rule?: string;
  overflow?: boolean;
}

function route(snapshot: RoutingSnapshot, c: Omit<Case, "name" | "queue" | "reason">) {
  const municipality = c.municipality
    ? snapshot.municipalities.find((m) => m.regionCode === c.region && m.key === c.municipality)
    : null;
  if (c.municipality && !municipality) throw new Error(`test bug: no municipality ${c.municipality}`);
  return routeRequest(snapshot, {
    regionCode: c.region,
    municipalityId: municipality?.id ?? null,
    categories: c.categories,
    urgency: c.urgency ?? "P2",
    flags: c.flags ?? [],
    now: c.at ?? WED_NOON_SAMARA,
  });
}

describe("routing the demo regions", () => {
  const cases: Case[] = [
    {
      name: "a Syzran family goes to the Syzran team",
      region: "63",
      municipality: "syzran",
      categories: ["housing"],
      queue: "samara-team-syzran",
      reason: "rule",
      rule: "syzran-all",
    },
    {
      name: "a Shigony family goes to the Shigony team",
      region: "63",
      municipality: "shigony-district",
      categories: ["family_conflict"],
      queue: "samara-team-shigony-district",
      reason: "rule",
      rule: "shigony-district-all",
    },
    {
      name: "an Oktyabrsk family goes to the Oktyabrsk team",
      region: "63",
      municipality: "oktyabrsk",
      categories: ["material_need"],
      queue: "samara-team-oktyabrsk",
      reason: "rule",
      rule: "oktyabrsk-all",
    },
    {
      name: "a Syzran district family goes to the district team",
      region: "63",
      municipality: "syzran-district",
      categories: ["legal_docs"],
      queue: "samara-team-syzran-district",
      reason: "rule",
      rule: "syzran-district-all",
    },
    {
      name: "a municipal team beats the region-wide crisis rule",
      region: "63",
      municipality: "syzran",
      categories: ["suicide_crisis"],
      urgency: "P0",
      queue: "samara-team-syzran",
      reason: "rule",
      rule: "syzran-all",
    },
    {
      name: "Samara city without a team goes to the region default",
      region: "63",
      municipality: "samara",
      categories: ["housing"],
      queue: "samara-default",
      reason: "region_default",
    },
    {
      name: "Samara without a municipality goes to the region default",
      region: "63",
      categories: ["other_info"],
      urgency: "P3",
      queue: "samara-default",
      reason: "region_default",
    },
    {
      name: "an acute crisis in Samara goes to the crisis line",
      region: "63",
      categories: ["suicide_crisis"],
      urgency: "P0",
      queue: "samara-crisis-24x7",
      reason: "rule",
      rule: "acute-crisis-line",
    },
    {
      name: "Novosibirsk with a child under 4 goes to «Дети в семье»",
      region: "54",
      categories: ["family_conflict"],
      flags: ["child_under_4"],
      queue: "nsk-deti-v-seme-under4",
      reason: "rule",
      rule: "under4",
    },
    {
      name: "Novosibirsk under 4 with housing stays in the pilot",
      region: "54",
      categories: ["housing"],
      flags: ["child_under_4"],
      queue: "nsk-deti-v-seme-under4",
      reason: "rule",
      rule: "under4-social",
    },
    {
      name: "Novosibirsk housing without a baby goes to КЦСОН",
      region: "54",
      categories: ["housing"],
      queue: "nsk-kcson-social",
      reason: "rule",
      rule: "kcson-social",
    },
    {
      name: "Novosibirsk anything else goes to the region default",
      region: "54",
      municipality: "berdsk",
      categories: ["teen_law"],
      queue: "nsk-vmeste-general",
      reason: "region_default",
    },
    {
      name: "a Tyumen family with addiction goes to the rehabilitation space",
      region: "72",
      categories: ["addiction", "family_conflict"],
      queue: "tyumen-rehab",
      reason: "rule",
      rule: "addiction-rehab",
    },
    {
      name: "a Tyumen family with housing goes to the region default",
      region: "72",
      municipality: "tobolsk",
      categories: ["housing"],
      queue: "tyumen-default",
      reason: "region_default",
    },
    {
      name: "a Smolensk family with a disabled child goes to «Выход есть»",
      region: "67",
      categories: ["disability_care"],
      queue: "smolensk-vyhod-est",
      reason: "rule",
      rule: "vyhod-est-care",
    },
    {
      name: "Smolensk parental burnout goes to «Выход есть»",
      region: "67",
      categories: ["parental_burnout"],
      queue: "smolensk-vyhod-est",
      reason: "rule",
      rule: "vyhod-est-care",
    },
    {
      name: "Smolensk housing with a disabled child goes to «Выход есть»",
      region: "67",
      categories: ["housing"],
      flags: ["child_disability"],
      queue: "smolensk-vyhod-est",
      reason: "rule",
      rule: "vyhod-est-disabled-child",
    },
    {
      name: "Smolensk anything else goes to the region default",
      region: "67",
      categories: ["legal_docs"],
      queue: "smolensk-default",
      reason: "region_default",
    },
    {
      name: "a region with no routing data goes to the federal fallback",
      region: "01",
      categories: ["housing"],
      queue: "federal-fallback",
      reason: "federal_fallback",
    },
    {
      name: "an unknown region code goes to the federal fallback",
      region: "99",
      categories: [],
      queue: "federal-fallback",
      reason: "federal_fallback",
    },
    {
      name: "a P1 at night in Samara goes to the 24/7 queue",
      region: "63",
      municipality: "syzran",
      categories: ["housing"],
      urgency: "P1",
      at: WED_NIGHT_SAMARA,
      queue: "samara-crisis-24x7",
      reason: "rule",
      rule: "syzran-all",
      overflow: true,
    },
    {
      name: "the same P1 in the daytime goes to the normal queue",
      region: "63",
      municipality: "syzran",
      categories: ["housing"],
      urgency: "P1",
      at: WED_NOON_SAMARA,
      queue: "samara-team-syzran",
      reason: "rule",
      rule: "syzran-all",
      overflow: false,
    },
    {
      name: "a P0 on Saturday to the region default overflows too",
      region: "63",
      categories: ["violence"],
      urgency: "P0",
      at: new Date("2026-11-28T12:00:00+04:00"),
      queue: "samara-crisis-24x7",
      reason: "region_default",
      overflow: true,
    },
    {
      name: "a P2 at night does not overflow",
      region: "63",
      municipality: "syzran",
      categories: ["housing"],
      urgency: "P2",
      at: WED_NIGHT_SAMARA,
      queue: "samara-team-syzran",
      reason: "rule",
      rule: "syzran-all",
      overflow: false,
    },
    {
      name: "a P1 at night in a region without a 24/7 center goes to the federal 24/7 reserve",
      region: "72",
      categories: ["housing"],
      urgency: "P1",
      at: new Date("2026-11-25T23:00:00+05:00"),
      queue: "federal-fallback",
      reason: "region_default",
      overflow: true,
    },
    {
      name: "a P0 at night in Smolensk goes to the federal 24/7 reserve",
      region: "67",
      categories: ["parental_burnout"],
      urgency: "P0",
      at: new Date("2026-11-25T02:00:00+03:00"),
      queue: "federal-fallback",
      reason: "rule",
      rule: "vyhod-est-care",
      overflow: true,
    },
    {
      name: "a P0 at night in Novosibirsk goes to the federal 24/7 reserve",
      region: "54",
      categories: ["violence"],
      urgency: "P0",
      at: new Date("2026-11-25T02:00:00+07:00"),
      queue: "federal-fallback",
      reason: "region_default",
      overflow: true,
    },
    {
      name: "a P2 at night in Tyumen stays with the closed center",
      region: "72",
      categories: ["housing"],
      urgency: "P2",
      at: new Date("2026-11-25T02:00:00+05:00"),
      queue: "tyumen-default",
      reason: "region_default",
      overflow: false,
    },
  ];

  it.each(cases)("$name", (c) => {
    const d = route(demo, c);
    expect(d.queue.key).toBe(c.queue);
    expect(d.reason).toBe(c.reason);
    expect(d.rule?.key ?? null).toBe(c.rule ?? null);
    if (c.overflow !== undefined) expect(d.overflow).toBe(c.overflow);
    expect(d.center.id).toBe(d.queue.centerId);
  });

  it("names «Дети в семье» in the Novosibirsk under-4 queue", () => {
    const d = route(demo, { region: "54", categories: ["removal_risk"], flags: ["child_under_4"] });
    expect(d.queue.name).toContain("«Дети в семье»");
  });

  it("explains a rule placement in Russian with its conditions", () => {
    const d = route(demo, { region: "63", municipality: "syzran", categories: ["housing"] });
    expect(d.explanation).toBe(
      'Правило "syzran-all" (муниципалитет Сызрань, любые категории, приоритет 10) → очередь «Команда Сызрань» центра «Муниципальная команда «Дети в семье» — Сызрань».',
    );
    expect(d.openNow).toBe(true);
  });

  it("explains the region default, the federal fallback and the overflow", () => {
    expect(route(demo, { region: "72", categories: ["housing"] }).explanation).toMatch(
      /^Нет подходящего правила в регионе «Тюменская область» → очередь региона по умолчанию «Семейный центр: общая очередь»/,
    );
    expect(route(demo, { region: "01", categories: ["housing"] }).explanation).toMatch(
      /нет ни подходящего правила, ни очереди по умолчанию → федеральная резервная очередь «Резервная очередь/,
    );
    const night = route(demo, {
      region: "63",
      municipality: "syzran",
      categories: ["housing"],
      urgency: "P1",
      at: WED_NIGHT_SAMARA,
    });
    expect(night.explanation).toContain("сейчас закрыт (ср 23:00 по времени региона), срочность P1");
    expect(night.explanation).toContain("→ переадресовано в круглосуточную очередь «Кризисная линия 24/7»");
  });

  it("explains the step to the federal 24/7 reserve", () => {
    const d = route(demo, { region: "72", categories: ["violence"], urgency: "P0", at: new Date("2026-11-25T02:00:00+05:00") });
    expect(d).toMatchObject({ overflowStep: "federal_24x7", openNow: true, noOpenQueue: false, timezone: "Asia/Yekaterinburg" });
    expect(d.chosen.queue.key).toBe("tyumen-default");
    expect(d.explanation).toContain("сейчас закрыт (ср 02:00 по времени региона), срочность P0");
    expect(d.explanation).toContain(
      "круглосуточной очереди в регионе нет → переадресовано в федеральный круглосуточный резерв «Резервная очередь",
    );
    const samara = route(demo, { region: "63", municipality: "syzran", categories: ["housing"], urgency: "P1", at: WED_NIGHT_SAMARA });
    expect(samara.overflowStep).toBe("region_24x7");
  });

  it("says when a closed center opens when even the federal reserve is not 24/7 (a coverage gap)", () => {
    const d = route(withoutFederal24x7(demo), {
      region: "72",
      categories: ["housing"],
      urgency: "P1",
      at: new Date("2026-11-27T20:00:00+05:00"),
    });
    expect(d.openNow).toBe(false);
    expect(d).toMatchObject({ overflow: false, overflowStep: null, noOpenQueue: true });
    expect(d.queue.key).toBe("tyumen-default");
    expect(d.nextOpeningAt?.toISOString()).toBe("2026-11-30T04:00:00.000Z"); // Monday 09:00 in Tyumen
    expect(d.explanation).toContain("круглосуточной очереди нет ни в регионе, ни в федеральном резерве");
    expect(d.explanation).toContain("центр откроется пн 09:00 по времени региона");
  });

  it("a P2 at night stays with the closed center and knows when it opens", () => {
    const d = route(demo, { region: "72", categories: ["housing"], urgency: "P2", at: new Date("2026-11-27T20:00:00+05:00") });
    expect(d).toMatchObject({ overflow: false, noOpenQueue: false, openNow: false });
    expect(d.nextOpeningAt?.toISOString()).toBe("2026-11-30T04:00:00.000Z");
  });
});

describe("the chain for an untaken P0", () => {
  const queueId = (key: string) => demo.queues.find((q) => q.key === key)!.id;
  it("closed center → region 24/7 → federal 24/7 reserve → end", () => {
    expect(nextInChain(demo, "63", queueId("samara-team-syzran"))).toMatchObject({ queue: { key: "samara-crisis-24x7" }, step: "region_24x7" });
    expect(nextInChain(demo, "63", queueId("samara-crisis-24x7"))).toMatchObject({ queue: { key: "federal-fallback" }, step: "federal_24x7" });
    expect(nextInChain(demo, "63", queueId("federal-fallback"))).toBeNull();
  });
  it("a region without a 24/7 queue goes straight to the federal reserve", () => {
    expect(nextInChain(demo, "72", queueId("tyumen-default"))).toMatchObject({ queue: { key: "federal-fallback" }, step: "federal_24x7" });
    expect(nextInChain(withoutFederal24x7(demo), "72", queueId("tyumen-default"))).toBeNull();
  });
});

// A small hand-made region for the resolution order itself.
function center(id: string, extra: Partial<RoutingCenter> = {}): RoutingCenter {
  return {
    id,
    key: id,
    name: `Центр ${id}`,
    regionCode: "63",
    municipalityId: null,
    publicPhone: "+7 000 000-00-01",
    hours: {},
    is24x7: true,
    active: true,
    ...extra,
  };
}
function queue(id: string, centerId: string, extra: Partial<RoutingQueue> = {}): RoutingQueue {
  return {
    id,
    key: id,
    name: `Очередь ${id}`,
    centerId,
    isDefault: false,
    isFallback: false,
    active: true,
    ...extra,
  };
}
function world(rules: RoutingRuleData[], patch: Partial<RoutingSnapshot> = {}): RoutingSnapshot {
  return {
    regions: [{ code: "63", name: "Самарская область", timezone: "Europe/Samara" }],
    municipalities: [{ id: "m-syz", key: "syzran", regionCode: "63", name: "Сызрань" }],
    centers: [center("c1"), center("c2"), center("c3"), center("fed", { regionCode: null })],
    queues: [
      queue("q1", "c1"),
      queue("q2", "c2"),
      queue("q3", "c3", { isDefault: true }),
      queue("fallback", "fed", { isFallback: true }),
    ],
    rules,
    ...patch,
  };
}
const request = {
  regionCode: "63",
  municipalityId: "m-syz",
  categories: ["housing", "violence"] as Category[],
  urgency: "P1" as Urgency,
  flags: ["child_under_4"] as Flag[],
  now: WED_NOON_SAMARA,
};

describe("resolution order", () => {
  it("scores specificity as municipality 8, categories 4, flags 2, urgency 1", () => {
    expect(ruleSpecificity(rule("a", "q1"))).toBe(0);
    expect(
      ruleSpecificity(
        rule("a", "q1", {
          municipalityId: "m",
          categories: ["housing"],
          flags: ["pregnancy"],
          urgency: "P0",
        }),
      ),
    ).toBe(15);
    expect(ruleSpecificity(rule("a", "q1", { categories: ["housing"] }))).toBe(4);
  });

  it.each([
    [
      "municipality beats categories + flags + urgency",
      { municipalityId: "m-syz" },
      { categories: ["housing"] as Category[], flags: ["child_under_4"] as Flag[], urgency: "P1" as Urgency },
    ],
    [
      "categories beat flags + urgency",
      { categories: ["violence"] as Category[] },
      { flags: ["child_under_4"] as Flag[], urgency: "P1" as Urgency },
    ],
    ["a flag beats an urgency", { flags: ["child_under_4"] as Flag[] }, { urgency: "P1" as Urgency }],
    ["an urgency beats nothing", { urgency: "P1" as Urgency }, {}],
  ])("%s", (_name, moreSpecific, lessSpecific) => {
    // The less specific rule gets the higher priority: specificity must still win, in either order.
    const rules = [
      rule("specific", "q1", moreSpecific),
      rule("general", "q2", { ...lessSpecific, priority: 100 }),
    ];
    expect(routeRequest(world(rules), request).rule?.key).toBe("specific");
    expect(routeRequest(world([...rules].reverse()), request).rule?.key).toBe("specific");
  });

  it("breaks ties of equal specificity by priority", () => {
    const a = rule("a", "q1", { categories: ["housing"], priority: 5 });
    const b = rule("b", "q2", { categories: ["violence"], priority: 7 });
    expect(routeRequest(world([a, b]), request).queue.key).toBe("q2");
    expect(routeRequest(world([{ ...a, priority: 9 }, b]), request).queue.key).toBe("q1");
  });

  it("matches only when every condition holds", () => {
    const cases: [Partial<RoutingRuleData>, boolean][] = [
      [{ categories: ["addiction"] }, false],
      [{ categories: ["addiction", "violence"] }, true],
      [{ urgency: "P0" }, false],
      [{ urgency: "P1" }, true],
      [{ flags: ["child_under_4", "pregnancy"] }, false],
      [{ flags: ["child_under_4"] }, true],
      [{ municipalityId: "m-other" }, false],
      [{ regionCode: "67" }, false],
    ];
    for (const [conditions, matches] of cases) {
      const d = routeRequest(world([rule("r", "q1", conditions)]), request);
      expect({ conditions, queue: d.queue.key }).toEqual({ conditions, queue: matches ? "q1" : "q3" });
    }
  });

  it("ignores inactive rules and rules whose queue or center is inactive", () => {
    const best = rule("best", "q1", { municipalityId: "m-syz" });
    const next = rule("next", "q2", { categories: ["housing"] });
    expect(routeRequest(world([best, next]), request).rule?.key).toBe("best");
    expect(routeRequest(world([{ ...best, active: false }, next]), request).rule?.key).toBe("next");
    const w = world([best, next]);
    expect(
      routeRequest(
        { ...w, queues: w.queues.map((q) => (q.id === "q1" ? { ...q, active: false } : q)) },
        request,
      ).rule?.key,
    ).toBe("next");
    expect(
      routeRequest(
        { ...w, centers: w.centers.map((c) => (c.id === "c1" ? { ...c, active: false } : c)) },
        request,
      ).rule?.key,
    ).toBe("next");
  });

  it("skips a default queue of an inactive center and falls back to the federal queue", () => {
    const w = world([]);
    expect(routeRequest(w, request).reason).toBe("region_default");
    const d = routeRequest(
      { ...w, centers: w.centers.map((c) => (c.id === "c3" ? { ...c, active: false } : c)) },
      request,
    );
    expect([d.reason, d.queue.key]).toEqual(["federal_fallback", "fallback"]);
  });

  it("throws a clear error when even the federal fallback is missing", () => {
    const w = world([]);
    const none = { ...w, queues: w.queues.filter((q) => !q.isDefault && !q.isFallback) };
    expect(() => routeRequest(none, request)).toThrow(/no active federal fallback queue/);
  });
});

describe("chosenPlacement (what the dialog compares while deciding which questions matter)", () => {
  it("is the decision's choice before overflow for every region, topic, urgency and flag of the demo data, day and night", () => {
    const regions = [...new Set(demo.rules.map((r) => r.regionCode)), "99"];
    let compared = 0;
    for (const regionCode of regions) {
      const municipalities = [null, ...demo.municipalities.filter((m) => m.regionCode === regionCode).map((m) => m.id)];
      for (const municipalityId of municipalities)
        for (const category of CATEGORIES)
          for (const urgency of URGENCIES)
            for (const flags of [[], ...FLAGS.map((f) => [f])] as Flag[][])
              for (const now of [WED_NOON_SAMARA, WED_NIGHT_SAMARA]) {
                const input = { regionCode, municipalityId, categories: [category], urgency, flags };
                const chosen = chosenPlacement(demo, input);
                const decision = routeRequest(demo, { ...input, now });
                expect([chosen.queue.key, chosen.center.key]).toEqual([decision.chosen.queue.key, decision.chosen.center.key]);
                compared += 1;
              }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
