// Issue 11 §3: an emergency is never gated. On every screen of the dialog — questions, the consent
// screen, the resume, language and withdrawal prompts, the terminal screens — both the 🆘 button and
// a typed «помогите» reach the emergency numbers at once, and the family keeps its place.
import { describe, expect, it } from "vitest";
import type { DialogState } from "../../src/dialog/state.ts";
import { Talk } from "./fixture.ts";

const NUMBERS = ["112", "8-800-2000-122"];

const start = (t: Talk) => t.send({ type: "start" });
const toRegion = (t: Talk) => start(t).cat("legal_docs").press("done").press("no");
const toFlags = (t: Talk) => toRegion(t).text("Самара").press("other");
const toConsent = (t: Talk) => toFlags(t).press("none");
const toDescription = (t: Talk) => toConsent(t).press("give");
const toPhone = (t: Talk) => toDescription(t).press("skip");
const toSummary = (t: Talk) => toPhone(t).send({ type: "contact", phone: "+79991234567", own: true });
// The name and how/when to contact: asked when edited from the summary.
const toName = (t: Talk) => toSummary(t).press("e:name");
const toMethod = (t: Talk) => toSummary(t).press("e:contact");
const toTime = (t: Talk) => toMethod(t).press("call");
const check = (category: string) => (t: Talk) => start(t).cat(category).press("done").press("no");

/** Every screen the family can be on, and how to get there. */
const SCREENS: [string, (t: Talk) => unknown][] = [
  ["categories", start],
  ["category_confirm", (t) => start(t).text("муж пьёт, денег нет")],
  ["danger_now", (t) => start(t).cat("legal_docs").press("done")],
  ["check_addiction", check("addiction")],
  ["check_housing", check("housing")],
  ["check_food", check("material_need")],
  ["check_burnout", check("parental_burnout")],
  ["check_teen", check("teen_law")],
  ["family_flags", toFlags],
  ["p0_safe", (t) => start(t).cat("violence").press("done").press("yes")],
  ["region", toRegion],
  ["region_choose", (t) => toRegion(t).text("Алтай")],
  ["municipality", (t) => toRegion(t).text("Самара")],
  ["description", toDescription],
  ["consent", toConsent],
  ["name", toName],
  ["phone", toPhone],
  ["phone_confirm", (t) => toPhone(t).send({ type: "contact", phone: "+79990001122", own: false })],
  ["contact_method", toMethod],
  ["contact_time", toTime],
  ["summary", toSummary],
  ["done", (t) => toSummary(t).press("submit")],
  ["info", (t) => toConsent(t).press("decline")],
  ["teen_help", (t) => start(t).cat("legal_docs").press("done").press("minor")],
  ["cancelled", (t) => start(t).send({ type: "command", name: "cancel" })],
  ["resume prompt", (t) => {
    start(t).cat("legal_docs").press("done");
    t.ctx = { ...t.ctx, now: new Date(t.ctx.now.getTime() + 25 * 3600_000) };
    t.text("нет");
  }],
  ["language prompt", (t) => start(t).cat("legal_docs").press("done").send({ type: "command", name: "lang" })],
  ["withdrawal prompt (/revoke)", (t) => toName(t).send({ type: "command", name: "revoke" })],
];

/** What "the same place" means: the step, the open prompt and every answer given so far. */
function place(s: DialogState | null) {
  return { step: s?.step, modal: s?.modal?.kind, answers: s?.answers, submitted: s?.submitted };
}
/** The option ids of the screen as shown last (tokens carry a sequence number in front). */
function screenIds(t: Talk): string[] {
  return t.options().map((o) => o.token.split(".").slice(1).join(".")).filter((id) => id !== "urgent");
}

function reach(reachScreen: (t: Talk) => unknown, name: string): Talk {
  const t = new Talk();
  reachScreen(t);
  const where = t.state?.modal ? `${t.state.modal.kind} prompt` : t.step;
  if (!name.startsWith(String(where)) && !(name.includes("language") && where === "lang prompt") && !(name.includes("withdrawal") && where === "revoke prompt")) {
    throw new Error(`fixture reached ${where}, not ${name}`);
  }
  return t;
}

describe("emergency is never gated: every screen", () => {
  for (const [name, reachScreen] of SCREENS) {
    it(`${name}: «помогите» shows the numbers and keeps the place`, () => {
      const t = reach(reachScreen, name);
      const before = place(t.state);
      const ids = screenIds(t);
      t.text("помогите");
      for (const n of NUMBERS) expect(t.texts(), name).toContain(n);
      expect(t.texts()).not.toContain("не поняла");
      expect(place(t.state)).toEqual(before);
      // The same question is asked again right after the numbers.
      expect(screenIds(t)).toEqual(ids);
      expect(t.effects.some((e) => e.type === "createRequest" || e.type === "eraseMyData")).toBe(false);
    });

    it(`${name}: the 🆘 button is there and shows the numbers`, () => {
      const t = reach(reachScreen, name);
      const before = place(t.state);
      expect(screenIds(t), "🆘 on this screen").toContain("sos");
      t.press("sos");
      for (const n of NUMBERS) expect(t.texts(), name).toContain(n);
      expect(place(t.state)).toEqual(before);
    });
  }
});

describe("calls for help are understood however they are typed", () => {
  for (const typed of ["помогите", "помогите!", "ПОМОГИТЕ!!!", "срочно", "SOS", "sos", "help", "HELP ME", "помогите пожалуйста", "нужна помощь срочно"]) {
    it(`«${typed}» on the consent screen`, () => {
      const t = new Talk();
      toConsent(t);
      t.text(typed);
      expect(t.texts()).toContain("112");
      expect(t.texts()).not.toContain("не поняла");
      expect(t.step).toBe("consent");
      expect(t.state?.answers.consent).toBeUndefined();
    });
  }

  it("as the very first message: numbers first, then the greeting and the first question", () => {
    const t = new Talk().text("помогите");
    const text = t.texts();
    expect(text.indexOf("112")).toBeGreaterThanOrEqual(0);
    expect(text.indexOf("112")).toBeLessThan(text.indexOf("конфиденциально"));
    expect(t.step).toBe("categories");
  });

  it("is never stored as a name or a description", () => {
    const d = new Talk();
    toDescription(d).text("помогите!");
    expect(d.step).toBe("description");
    expect(d.state?.answers.description).toBeUndefined();
    const n = new Talk();
    toName(n).text("SOS");
    expect(n.step).toBe("name");
    expect(n.state?.answers.name).toBeUndefined();
  });

  it("inside a longer text it is kept as the description, with the numbers first", () => {
    const t = new Talk();
    toDescription(t).text("Помогите, пожалуйста, нечем платить за квартиру");
    expect(t.texts()).toContain("112");
    expect(t.state?.answers.description).toBe("Помогите, пожалуйста, нечем платить за квартиру");
    expect(t.step).toBe("phone");
  });

  it("inside a longer text on a button screen it shows the numbers instead of «не поняла»", () => {
    const t = new Talk();
    toConsent(t).text("помогите мне, я не понимаю что нажимать");
    expect(t.texts()).toContain("112");
    expect(t.texts()).not.toContain("не поняла");
    expect(t.step).toBe("consent");
  });

  it("on the language prompt and in English", () => {
    const t = new Talk();
    start(t).send({ type: "command", name: "lang", arg: "en" });
    t.text("help me");
    expect(t.texts()).toContain("112");
    expect(t.texts()).toContain("danger right now");
  });
});

describe("red flags are screened on every screen too", () => {
  for (const [name, reachScreen] of SCREENS) {
    if (name === "done" || name === "teen_help") continue; // covered below: escalation and the helpline
    it(`${name}: a danger phrase shows the numbers`, () => {
      const t = reach(reachScreen, name);
      t.text("он сказал что убьёт меня");
      expect(t.texts()).toContain("112");
      expect(t.texts()).toContain("звучит очень серьёзно");
    });
  }
});
