// Issue 11 §2: urgency that is honest and explained. "Danger now" only when the family said so or
// wrote a danger-now phrase; every other raise records its own reason; the reply matches the cause
// («То, что вы написали…» only for a phrase the family wrote, never after a button, never for P1).
import { describe, expect, it } from "vitest";
import type { RequestDraft } from "../../src/dialog/engine.ts";
import { screenRedFlags } from "../../src/dialog/red-flags.ts";
import { describeUrgencyReasons, parseUrgencyReasons } from "../../src/dialog/urgency-reasons.ts";
import { i18n, Talk } from "./fixture.ts";

const SERIOUS = "звучит очень серьёзно";

/** After the urgency questions: place, description, consent, contacts, send. */
function finish(t: Talk): RequestDraft {
  for (let i = 0; i < 20 && t.step !== "done"; i++) {
    switch (t.step) {
      case "p0_safe":
        t.press("safe");
        break;
      case "family_flags":
        t.press("none");
        break;
      case "region":
        t.text("Самара");
        break;
      case "municipality":
        t.press("other");
        break;
      case "description":
        t.press("skip");
        break;
      case "consent":
        t.press("give");
        break;
      case "name":
        t.text("Анна");
        break;
      case "phone":
        t.send({ type: "contact", phone: "+79991234567", own: true });
        break;
      case "contact_method":
        t.press("call");
        break;
      case "contact_time":
        t.press("any");
        break;
      case "summary":
        t.press("submit");
        break;
      default:
        throw new Error(`unexpected step ${t.step}`);
    }
  }
  const create = t.all.find((e) => e.type === "createRequest");
  if (create?.type !== "createRequest") throw new Error("no request");
  return create.request;
}

const begin = (category: string) => new Talk().send({ type: "start" }).cat(category).press("done");

describe("a button is not «what you wrote»", () => {
  it("burned-out mother answers «Да» to «страшно навредить…»: P0 for that reason, not danger now", () => {
    const t = begin("parental_burnout").press("no");
    expect(t.step).toBe("check_burnout");
    t.press("yes");
    expect(t.texts()).not.toContain(SERIOUS);
    expect(t.texts()).toContain("Спасибо, что сказали честно");
    expect(t.texts()).toContain("112");
    const req = finish(t);
    expect(req.urgency).toBe("P0");
    expect(req.flags).not.toContain("danger_now");
    expect(req.reasons).toContainEqual({ source: "answer", code: "check_burnout", level: "P0", dangerNow: false });
    expect(req.reasons?.some((r) => r.dangerNow)).toBe(false);
  });

  it("no shelter tonight (button): P0 with its own words and reason", () => {
    const t = begin("housing").press("no").press("yes");
    expect(t.texts()).not.toContain(SERIOUS);
    expect(t.texts()).toContain("ночлег");
    const req = finish(t);
    expect(req.urgency).toBe("P0");
    expect(req.flags).not.toContain("danger_now");
    expect(req.reasons).toContainEqual({ source: "answer", code: "check_housing", level: "P0", dangerNow: false });
  });

  it("«Да» to the danger-now question: danger now, recorded as that answer", () => {
    const t = begin("violence").press("yes");
    expect(t.texts()).not.toContain(SERIOUS);
    expect(t.texts()).toContain("Спасибо, что сказали");
    const req = finish(t);
    expect(req.urgency).toBe("P0");
    expect(req.flags).toContain("danger_now");
    expect(req.reasons).toContainEqual({ source: "answer", code: "danger_now", level: "P0", dangerNow: true });
  });

  it("🆘 then «leave an urgent request»: the family said they are in danger", () => {
    const t = begin("family_conflict").press("sos");
    expect(t.texts()).toContain("112");
    t.press("urgent");
    expect(t.texts()).not.toContain(SERIOUS);
    const req = finish(t);
    expect(req.urgency).toBe("P0");
    expect(req.flags).toContain("danger_now");
    expect(req.reasons).toContainEqual({ source: "answer", code: "sos_urgent", level: "P0", dangerNow: true });
  });
});

describe("P1 never gets the emergency script", () => {
  it("children without food (button): P1, «дети без еды»", () => {
    const t = begin("material_need").press("no");
    expect(t.step).toBe("check_food");
    t.press("yes");
    expect(t.texts()).not.toContain(SERIOUS);
    expect(t.state?.urgent).toBe(false);
    const req = finish(t);
    expect(req.urgency).toBe("P1");
    expect(req.flags).not.toContain("danger_now");
    expect(req.reasons).toContainEqual({ source: "answer", code: "check_food", level: "P1", dangerNow: false });
    const labels = describeUrgencyReasons(req.reasons, "ru", (k, a) => i18n.t("ru", k, a)).map((l) => l.label);
    expect(labels).toContain("дети без еды — ответ в диалоге");
  });

  it("eviction (housing, a roof tonight): P1 by the topic's default, no emergency path", () => {
    const t = begin("housing").press("no").press("no");
    expect(t.texts()).not.toContain(SERIOUS);
    const req = finish(t);
    expect(req.urgency).toBe("P1");
    expect(req.flags).not.toContain("danger_now");
    expect(req.reasons).toEqual([{ source: "category", code: "housing", level: "P1", dangerNow: false }]);
  });

  it("a pregnant woman thinking of relinquishment (topic): P1, no emergency path", () => {
    const t = begin("pregnancy_infant").press("no");
    expect(t.state?.urgent).toBe(false);
    const req = finish(t);
    expect(req.urgency).toBe("P1");
    expect(req.flags).not.toContain("danger_now");
    expect(req.reasons).toEqual([{ source: "category", code: "pregnancy_infant", level: "P1", dangerNow: false }]);
  });

  it("an ordinary topic has no reasons and stays P2", () => {
    const req = finish(begin("family_conflict").press("no"));
    expect(req.urgency).toBe("P2");
    expect(req.reasons).toEqual([]);
    expect(req.flags).not.toContain("danger_now");
  });
});

describe("phrases the family wrote: the reply and the record follow the lexicon's level", () => {
  // Whatever level the lexicon gives (it is maintained separately), the engine must follow it.
  const PHRASES = [
    "он сказал что убьёт меня",
    "муж бьёт ребёнка прямо сейчас",
    "дети голодные, нечем кормить",
    "думаю оставить ребёнка в роддоме",
    "опека грозится забрать ребёнка",
  ];
  for (const phrase of PHRASES) {
    it(`«${phrase}»`, () => {
      const screened = screenRedFlags(phrase);
      const t = new Talk().send({ type: "start" }).text(phrase);
      if (screened.type === "none") return; // nothing to follow
      const p0 = screened.level === "P0";
      expect(t.texts().includes(SERIOUS)).toBe(p0);
      expect(t.state?.urgent).toBe(p0);
      if (t.step === "category_confirm") t.press("yes");
      else if (t.step === "categories") t.cat("family_conflict").press("done");
      if (t.step === "danger_now") t.press("no");
      if (t.step === "age") t;
      for (let i = 0; i < 4 && t.step?.startsWith("check_"); i++) t.press("no");
      const req = finish(t);
      expect(req.flags.includes("danger_now")).toBe(p0);
      for (const id of screened.matches) {
        expect(req.reasons).toContainEqual({ source: "phrase", code: id, level: screened.level, dangerNow: p0 });
      }
      if (!p0) expect(req.urgency).not.toBe("P0");
    });
  }

  it("a danger phrase, then «опасности нет»: P1, the alarm recorded, not danger now", () => {
    const t = new Talk().send({ type: "start" }).text("он сказал что убьёт меня");
    expect(t.step).toBe("p0_safe");
    t.press("nodanger");
    if (t.step === "category_confirm") t.press("yes");
    if (t.step === "categories") t.cat("family_conflict").press("done");
    t.press("no");
    for (let i = 0; i < 4 && t.step?.startsWith("check_"); i++) t.press("no");
    const req = finish(t);
    expect(req.flags).not.toContain("danger_now");
    expect(req.reasons).toContainEqual({ source: "answer", code: "alarm_no_danger", level: "P1", dangerNow: false });
    expect(req.reasons?.filter((r) => r.source === "phrase").every((r) => r.level === "P1" && !r.dangerNow)).toBe(true);
  });

  it("the words are never stored in the reasons", () => {
    const t = new Talk().send({ type: "start" }).text("он сказал что убьёт меня");
    expect(JSON.stringify(t.state?.phraseFlags)).not.toContain("убь");
  });
});

describe("reason labels", () => {
  const t = (locale: "ru" | "en") => (k: string, a?: Record<string, string | number>) => i18n.t(locale, k, a);

  it("every reason the dialog can record has a ru and an en label", () => {
    const reasons = [
      ...["danger_now", "sos_urgent", "check_burnout", "check_housing", "check_teen", "check_food", "check_addiction", "alarm_no_danger", "emergency_path"].map((code) => ({ source: "answer", code, level: "P0" })),
      { source: "category", code: "suicide_crisis", level: "P0" },
      { source: "phrase", code: "kill", level: "P0", dangerNow: true },
    ];
    for (const locale of ["ru", "en"] as const) {
      for (const line of describeUrgencyReasons(reasons, locale, t(locale))) {
        expect(line.label).not.toMatch(/reason-|\{ ?\$/);
        expect(line.label.length).toBeGreaterThan(3);
      }
    }
    expect(describeUrgencyReasons([{ source: "answer", code: "check_burnout", level: "P0" }], "ru", t("ru"))[0]?.label).toBe(
      "страх причинить вред себе или ребёнку — ответ в диалоге",
    );
    expect(describeUrgencyReasons([{ source: "category", code: "housing", level: "P1" }], "en", t("en"))[0]?.label).toContain("Housing");
  });

  it("unknown codes are shown as codes, malformed JSON as nothing", () => {
    expect(describeUrgencyReasons([{ source: "phrase", code: "zzz_new", level: "P1" }], "ru", t("ru"))[0]?.label).toContain("zzz_new");
    expect(parseUrgencyReasons("{oops")).toEqual([]);
    expect(parseUrgencyReasons('[{"source":"answer"},{"source":"answer","code":"danger_now","level":"P0","dangerNow":true}]')).toEqual([
      { source: "answer", code: "danger_now", level: "P0", dangerNow: true },
    ]);
  });
});
