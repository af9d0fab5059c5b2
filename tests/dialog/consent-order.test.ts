// Issue 12.2 / 12.4 / 12.8: nothing personal before consent, re-consent when the recipient changes,
// short kind re-asks, «назад» everywhere, teens, bad input at every step, state migration.
import { describe, expect, it } from "vitest";
import { step } from "../../src/dialog/engine.ts";
import type { InboundEvent } from "../../src/dialog/service-types.ts";
import { type DialogState, parseState, serializeState, STATE_VERSION } from "../../src/dialog/state.ts";
import { engineCtx, fixtureSnapshot, Talk } from "./fixture.ts";

const start = (t: Talk) => t.send({ type: "start" });
const toRegion = (t: Talk) => start(t).cat("legal_docs").press("done").press("no");
const toConsent = (t: Talk) => toRegion(t).text("Самара").press("other").press("none");
const toDescription = (t: Talk) => toConsent(t).press("give");

/** A context with a Tyumen center, so a region change changes the recipient. */
function twoCenterCtx() {
  const ctx = engineCtx();
  const routing = fixtureSnapshot();
  routing.centers.push({ id: "c-72", key: "tyumen-line", name: "Тюменская семейная линия", regionCode: "72", municipalityId: null, publicPhone: "+7 345 000-00-00", hours: {}, is24x7: true, active: true });
  routing.queues.push({ id: "q-72", key: "tyumen", name: "Тюмень", centerId: "c-72", isDefault: true, isFallback: false, active: true });
  return { ...ctx, routing };
}

describe("consent at the right moment (12.2)", () => {
  it("asks consent before anything personal; the description comes after it", () => {
    const t = toConsent(new Talk());
    expect(t.step).toBe("consent");
    expect(t.state?.answers.description).toBeUndefined();
    // The consent screen names the center that will receive the request.
    expect(t.texts()).toContain("Дети в семье");
    t.press("give");
    expect(t.step).toBe("description");
  });

  it("a red-flag first message is not stored as the description before consent", () => {
    const t = new Talk().text("муж избивает меня, я боюсь");
    expect(t.texts()).toContain("112");
    expect(JSON.stringify(t.state)).not.toContain("избивает");
  });

  it("after a region change consent is asked again, and the request goes to the center named last", () => {
    const t = new Talk(twoCenterCtx());
    toDescription(t).text("Нужна помощь с документами");
    t.send({ type: "contact", phone: "+79991234567", own: true });
    expect(t.step).toBe("summary");
    t.press("e:region").text("Тюменская область");
    expect(t.step).toBe("consent");
    expect(t.texts()).toContain("Тюменская семейная линия");
    expect(t.texts()).toContain("ещё раз");
    t.press("give");
    const rec = t.effects.find((e) => e.type === "recordConsent");
    if (rec?.type !== "recordConsent") throw new Error("no consent record");
    expect(rec.consent.recipients[0]).toContain("Тюменская семейная линия");
    expect(t.step).toBe("summary");
    t.press("submit");
    const req = t.effects.find((e) => e.type === "createRequest");
    if (req?.type !== "createRequest") throw new Error("no request");
    expect(req.request.regionCode).toBe("72");
    expect(req.request.description).toBe("Нужна помощь с документами");
  });

  it("a region change that keeps the same center does not ask again", () => {
    const t = new Talk();
    toDescription(t).text("Нужен совет по документам");
    t.send({ type: "contact", phone: "+79991234567", own: true });
    t.press("e:region").text("Самара").press("m:m-syzran");
    expect(t.step).toBe("summary");
  });
});

describe("declining consent (issue 12)", () => {
  it("answers in two messages that fit a phone: the center's contacts, then the numbers", () => {
    const t = toConsent(new Talk()).press("decline");
    expect(t.step).toBe("info");
    const texts = t.replies.flatMap((r) => (r.type === "text" ? [r.text] : []));
    expect(texts).toHaveLength(2);
    for (const x of texts) expect(x.length).toBeLessThanOrEqual(400);
    expect(texts[0]).toContain("+7 846 000-00-00");
    expect(texts[1]).toContain("112");
    expect(t.effects.filter((e) => e.type !== "recordInbound")).toEqual([]);
  });
});

describe("never stuck, never repeating (12.4)", () => {
  it("a non-answer at consent gets one kind line and a short question, not the whole text", () => {
    const t = toConsent(new Talk());
    const full = t.texts().length;
    for (const msg of ["😭😭😭", "а это бесплатно?", "Мы живём в Самаре, муж ушёл, денег нет, дети болеют"]) {
      t.text(msg);
      expect(t.step).toBe("consent");
      expect(t.texts().length).toBeLessThan(400);
      // Never the consent screen again: a kind line and the one-line question.
      expect(t.texts().length).toBeLessThan(full);
      expect(t.texts()).not.toContain("Согласие на обработку");
      expect(t.options().map((o) => o.token.split(".")[1])).toEqual(["give", "decline", "sos"]);
      const last = t.replies.at(-1);
      expect(last?.type === "text" && last.link?.url).toMatch(/\/consent\//);
      expect(t.state?.answers.description).toBeUndefined();
    }
  });

  it("«😭😭😭» gets a kind line and the question", () => {
    const t = toRegion(new Talk()).text("😭😭😭");
    expect(t.texts()).toContain("непросто");
    expect(t.step).toBe("region");
  });

  it.each(["назад", "Назад!", "вернуться", "НАЗАД..."])("«%s» goes back at the description step and is never stored", (word) => {
    const t = toDescription(new Talk()).text(word);
    expect(t.state?.answers.description).toBeUndefined();
    expect(t.step).not.toBe("description");
  });

  it("«Назад!» goes back on a button step and the region step", () => {
    const t = toRegion(new Talk()).text("Назад!");
    expect(t.step).toBe("danger_now");
    const a = start(new Talk()).cat("legal_docs").press("done").press("no").text("вернуться");
    expect(a.step).toBe("danger_now");
  });

  it.each(["мне 15", "15 лет", "я подросток, хочу просто поговорить", "Мне 14 лет, можно просто поговорить?"])(
    "a teen («%s») gets the children's helpline and a chat, not «не поняла»",
    (msg) => {
      const t = start(new Talk()).cat("family_conflict").press("done").text(msg);
      expect(t.step).toBe("teen_help");
      expect(t.texts()).toContain("8-800-2000-122");
      expect(t.texts()).toContain("124");
      expect(t.texts()).not.toContain("не поняла");
      const last = t.replies.at(-1);
      expect(last?.type === "text" && last.link?.url).toMatch(/^https:\/\//);
      expect(t.state?.answers.name).toBeUndefined();
    },
  );

  it("a teen's first message goes straight to the helpline", () => {
    const t = new Talk().text("я подросток, хочу просто поговорить");
    expect(t.step).toBe("teen_help");
  });

  it("an adult's age is not the teen screen; an amount is not an age", () => {
    const t = start(new Talk()).cat("legal_docs").press("done").text("мне 42 года");
    expect(t.step).toBe("danger_now");
    const m = toDescription(new Talk()).text("мне 15 тысяч нужно на лекарства");
    expect(m.step).toBe("phone");
    expect(m.state?.answers.description).toContain("15 тысяч");
  });
});

describe("bad input at every step changes nothing (12 «Bad input»)", () => {
  const STEPS: [string, (t: Talk) => unknown][] = [
    ["categories", start],
    ["danger_now", (t) => start(t).cat("legal_docs").press("done")],
    ["family_flags", (t) => toRegion(t).text("Самара").press("other")],
    ["region", toRegion],
    ["municipality", (t) => toRegion(t).text("Самара")],
    ["consent", toConsent],
    ["description", toDescription],
    ["phone", (t) => toDescription(t).press("skip")],
    ["summary", (t) => toDescription(t).press("skip").send({ type: "contact", phone: "+79991234567", own: true })],
    ["name", (t) => toDescription(t).press("skip").send({ type: "contact", phone: "+79991234567", own: true }).press("e:name")],
    ["contact_method", (t) => toDescription(t).press("skip").send({ type: "contact", phone: "+79991234567", own: true }).press("e:contact")],
  ];
  const BAD: [string, string][] = [
    ["empty", ""],
    ["whitespace", "   \n\t "],
    ["emoji", "😭😭😭"],
    ["long", "я ".repeat(5000)],
    // Beyond every step's options (a topic page has ten).
    ["number", "99"],
  ];
  const strip = (s: DialogState | null) => ({ ...s, seq: 0, lastActivityAt: undefined });
  for (const [name, go] of STEPS) {
    for (const [kind, text] of BAD) {
      // A long description is a real answer (kept up to the limit, with a note): not bad input there.
      if (name === "description" && (kind === "long" || kind === "number")) continue;
      // At the region and name steps a number is free text (a plate code, a name), not an option.
      if ((name === "region" || name === "name") && kind === "number") continue;
      it(`${name}: ${kind}`, () => {
        const t = new Talk();
        go(t);
        const before = strip(t.state);
        t.text(text);
        expect(t.step).toBe(name);
        expect(strip(t.state)).toEqual(before);
        expect(t.replies.length).toBeGreaterThanOrEqual(2);
        expect(t.replies[0]?.type === "text" && t.replies[0].text.length).toBeLessThan(200);
        expect(t.effects.filter((e) => e.type !== "recordInbound")).toEqual([]);
      });
    }
  }

  it("a stale button after going back is answered with the current question and changes nothing", () => {
    const t = start(new Talk()).cat("legal_docs").press("done");
    const old = t.options().find((o) => o.token.endsWith(".no"))!.token;
    t.press("no");
    t.send({ type: "command", name: "back" });
    t.press("no");
    const before = strip(t.state);
    t.send({ type: "option", token: old });
    expect(t.texts()).toContain("позади");
    expect(strip(t.state)).toEqual(before);
  });
});

describe("stored state survives an upgrade (12.8)", () => {
  const ctx = engineCtx();
  const v1 = (s: DialogState, patch: Record<string, unknown>) => JSON.stringify({ ...JSON.parse(serializeState(s)), v: 1, ...patch });

  it("a v1 dialog waiting at the description before consent continues at consent, the description forgotten", () => {
    const t = toConsent(new Talk());
    const old = v1(t.state!, { step: "description", answers: { ...t.state!.answers, description: "Старое описание" } });
    const parsed = parseState(old);
    if (parsed.type !== "ok") throw new Error(`reset: ${parsed.reason}`);
    expect(parsed.state.v).toBe(STATE_VERSION);
    expect(parsed.state.step).toBe("consent");
    expect(parsed.state.answers.description).toBeUndefined();
    const t2 = new Talk();
    t2.state = parsed.state;
    t2.press = t2.press.bind(t2);
    t2.send({ type: "option", token: `${parsed.state.seq}.give` });
    expect(t2.step).toBe("description");
  });

  it("an urgent v1 dialog at the phone step continues to a P0 request", () => {
    const t = new Talk().send({ type: "start" }).cat("violence").press("done").press("yes").press("unsafe").text("Самара").press("other").press("give");
    expect(t.step).toBe("phone");
    const parsed = parseState(v1(t.state!, {}));
    if (parsed.type !== "ok") throw new Error(`reset: ${parsed.reason}`);
    const ev: InboundEvent = { type: "text", text: "+7 999 123-45-67" };
    // The number is the last thing the emergency path asks: the request follows at once.
    const res = step(parsed.state, ev, ctx);
    const req = res.effects.find((e) => e.type === "createRequest");
    if (req?.type !== "createRequest") throw new Error("no request");
    expect(req.request.urgency).toBe("P0");
    expect(req.request.contactPhone).toBe("+79991234567");
  });

  it("a version with no migration still restarts", () => {
    expect(parseState(JSON.stringify({ v: 0, step: "categories" }))).toEqual({ type: "reset", reason: "old_version" });
  });
});
