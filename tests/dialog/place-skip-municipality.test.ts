// A typed town that names a municipality of the routing data answers the municipality question too
// (issue 12.1: skip what is implied): «Сызрань», «в Бердске», «Сызранский район». A region's own
// name («Самарская обл.») still asks where in the region — where the municipality changes the
// recipient (Samara's municipal teams); elsewhere it is not asked at all.
import { describe, expect, it } from "vitest";
import { demoCtx } from "./demo-context.ts";
import { Talk } from "./fixture.ts";

const ctx = demoCtx();
const keyOf = (id: string | null | undefined) => ctx.routing.municipalities.find((m) => m.id === id)?.key ?? id;

/** Up to the region question (family conflict, no danger), then the typed place. */
function typePlace(place: string): Talk {
  const t = new Talk(ctx).send({ type: "start" });
  t.topic("family_conflict").press("no");
  expect(t.step).toBe("region");
  return t.text(place);
}

describe("a typed town answers the municipality question", () => {
  it.each([
    ["Сызрань", "63", "syzran"],
    ["г. Сызрань", "63", "syzran"],
    ["живу в Сызрани", "63", "syzran"],
    ["Сызранский район", "63", "syzran-district"],
    ["Бердск", "54", "berdsk"],
    ["в Бердске", "54", "berdsk"],
    ["Тобольск", "72", "tobolsk"],
    ["Тольятти", "63", "tolyatti"],
  ])("«%s» → region %s, municipality %s, next the consent naming the center", (place, region, key) => {
    const t = typePlace(place);
    expect(t.state?.answers.regionCode).toBe(region);
    expect(keyOf(t.state?.answers.municipalityId)).toBe(key);
    expect(t.texts()).not.toMatch(/Где именно|Напишите город или район/);
    // Novosibirsk's pilot for children under 4 is the one question left before the consent.
    if (region === "54") {
      expect(t.step).toBe("family_flags");
      t.press("none");
    }
    expect(t.step).toBe("consent");
  });

  it.each([
    ["Самарская обл.", "63"],
    ["63", "63"],
  ])("«%s» names only the region: the municipality is asked (Samara's municipal teams)", (place, region) => {
    const t = typePlace(place);
    expect(t.state?.answers.regionCode).toBe(region);
    expect(t.state?.answers.municipalityId).toBeUndefined();
    expect(t.step).toBe("municipality");
  });

  it.each([
    ["Новосибирская область", "54", "family_flags"],
    ["Тюменская область", "72", "consent"],
  ])("«%s»: no rule or center depends on the town, so it is not asked", (place, region, next) => {
    const t = typePlace(place);
    expect(t.state?.answers.regionCode).toBe(region);
    expect(t.state?.answers.municipalityId).toBeUndefined();
    expect(t.step).toBe(next);
  });

  it("Смоленская область has one municipality: never asked", () => {
    const t = new Talk(ctx).send({ type: "start", payload: "67" });
    t.topic("legal_docs").press("no");
    expect(t.step).not.toBe("municipality");
  });

  it("«назад» from the consent after «Сызрань» asks the municipality, then the region again", () => {
    const t = typePlace("Сызрань");
    t.text("назад");
    expect(t.step).toBe("municipality");
    t.text("назад");
    expect(t.step).toBe("region");
  });
});

describe("region buttons fit MAX's visible 30 characters (issue 12.6)", () => {
  it("every region's button label is at most 30 characters, the long names reworded, not cut", () => {
    const t = new Talk(ctx).send({ type: "start" });
    t.topic("legal_docs").press("no");
    // Every region offered as a choice at once: the labels the region question can show.
    const codes = ctx.catalog.regions.map((r) => r.code);
    t.state = { ...t.state!, answers: { ...t.state!.answers, regionChoices: codes.slice(0, 8) } };
    for (let i = 0; i < codes.length; i += 8) {
      t.state = { ...t.state!, step: "region_choose", answers: { ...t.state!.answers, regionCode: undefined, regionChoices: codes.slice(i, i + 8) } };
      t.send({ type: "command", name: "help" });
      const labels = t.options().filter((o) => o.token.includes(".r:")).map((o) => o.label);
      expect(labels.length).toBe(codes.slice(i, i + 8).length);
      for (const l of labels) {
        expect(l.length, l).toBeLessThanOrEqual(30);
        expect(l).not.toMatch(/…$/);
      }
    }
  });
});
