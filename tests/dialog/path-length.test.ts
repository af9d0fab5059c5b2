// Issue 12.1: how long the dialog is for a family. Each journey is walked through the pure engine with
// the demo routing data and counted: parent actions (presses and typed messages after the first
// message), bot messages and the characters they read, up to the created request (or the help given).
// Every journey must stay within ≤ 8 actions and ≤ 10 bot messages; the figures are printed and listed
// in the README. A step that is not in a journey's plan fails it, so a question added to the typical
// path is noticed here.
import { describe, expect, it } from "vitest";
import type { InboundEvent } from "../../src/dialog/service-types.ts";
import { demoCtx } from "./demo-context.ts";
import { Talk } from "./fixture.ts";

const PHONE: InboundEvent = { type: "contact", phone: "+79991234567", own: true };

/** A Talk that counts what the family does and reads from its first message on. */
class CountedTalk extends Talk {
  events = 0;
  messages = 0;
  chars = 0;
  override send(event: InboundEvent): this {
    super.send(event);
    this.events++;
    for (const r of this.replies) {
      if (r.type === "text" || r.type === "requestContact") {
        this.messages++;
        this.chars += r.text.length;
      }
    }
    return this;
  }
  /** Actions after the first message (which every journey needs: /start or a first text). */
  get actions() {
    return this.events - 1;
  }
  created() {
    return this.all.some((e) => e.type === "createRequest");
  }
}

/** What the family does at a step; a list is used in order on repeated visits (tick, then «Готово»). */
type Action = { press: string } | { text: string } | { cat: string } | { muni: string } | { contact: true };
type Plan = Partial<Record<string, Action | Action[]>>;

interface Journey {
  name: string;
  first: InboundEvent;
  /** The answer per step: the journey follows whatever steps the flow asks, so a merged or dropped step only shortens it. */
  plan: Plan;
  /** What the journey ends with. */
  ends: "request" | "help";
  /** What the created request must carry (the shortcut must not lose what routing needs). */
  request?: { flags?: string[]; urgency?: string; contactMethod?: string };
}

const press = (id: string): Action => ({ press: id });
const text = (t: string): Action => ({ text: t });
// After the place: consent, no description, the messenger's own phone, send (a call at any time is
// the default; the name, how and when are asked only when edited from the summary).
const AFTER_REGION: Plan = {
  consent: press("give"),
  description: press("skip"),
  phone: { contact: true },
  summary: press("submit"),
};
// One topic is one press; the municipality and the family flags are asked where routing uses them.
const tapPlan = (cat: string, muni: string, extra: Plan = {}): Plan => ({
  categories: { cat },
  danger_now: press("no"),
  family_flags: press("none"),
  municipality: { muni },
  ...AFTER_REGION,
  ...extra,
});

const JOURNEYS: Journey[] = [
  {
    name: "Самарская область (63), tap-only via the region's link, municipality button",
    first: { type: "start", payload: "63" },
    plan: tapPlan("legal_docs", "syzran"),
    ends: "request",
  },
  {
    name: "Новосибирская область (54), tap-only via the region's link",
    first: { type: "start", payload: "54" },
    plan: tapPlan("family_conflict", "berdsk"),
    ends: "request",
  },
  {
    name: "Смоленская область (67), tap-only via the region's link (one municipality)",
    first: { type: "start", payload: "67" },
    plan: tapPlan("disability_care", "smolensk"),
    ends: "request",
  },
  {
    name: "Тюменская область (72), tap-only via the region's link, addiction (one follow-up)",
    first: { type: "start", payload: "72" },
    plan: tapPlan("addiction", "tyumen", { check_addiction: press("no") }),
    ends: "request",
  },
  {
    name: "Самарская область (63), every answer typed",
    first: { type: "text", text: "Здравствуйте" },
    plan: {
      categories: text("документы"),
      category_confirm: text("да"),
      danger_now: text("нет"),
      family_flags: text("ничего"),
      region: text("Сызрань"),
      municipality: text("Сызрань"),
      consent: text("да, согласна"),
      description: text("Нужна помощь с документами на пособие. Анна"),
      phone: text("89991234567"),
      summary: text("отправить"),
    },
    ends: "request",
  },
  {
    name: "P0: danger now, the emergency path (region typed)",
    first: { type: "start" },
    plan: {
      categories: { cat: "violence" },
      danger_now: press("yes"),
      p0_safe: press("safe"),
      region: text("Самара"),
      municipality: { muni: "samara" },
      consent: press("give"),
      phone: { contact: true },
    },
    ends: "request",
    request: { flags: ["danger_now"], urgency: "P0", contactMethod: "call" },
  },
  {
    name: "P1 with a flag: removal risk, a child under 4 (region typed)",
    first: { type: "start" },
    plan: {
      ...tapPlan("removal_risk", "novosibirsk"),
      family_flags: press("y:child_under_4"),
      region: text("Новосибирск"),
    },
    ends: "request",
    request: { flags: ["child_under_4"], urgency: "P1", contactMethod: "call" },
  },
  {
    name: "teen: first message «мне 15, хочу просто поговорить»",
    first: { type: "text", text: "мне 15, хочу просто поговорить" },
    plan: {},
    ends: "help",
  },
  {
    name: "declined consent: the center's contacts and the numbers",
    first: { type: "start", payload: "72" },
    plan: { ...tapPlan("legal_docs", "tyumen"), consent: press("decline") },
    ends: "help",
  },
];

function muni(t: Talk, key: string): string {
  const m = t.ctx.catalog.municipalities.find((x) => x.key === key);
  if (!m) throw new Error(`no municipality ${key}`);
  return m.id;
}

/** Answers whatever step the dialog is at from the plan until a request exists or help is given. */
function walk(t: CountedTalk, j: Journey): void {
  t.send(j.first);
  const visits = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    if (t.created() || t.step === "teen_help" || t.step === "info") return;
    const step = t.step ?? "";
    const planned = j.plan[step];
    if (!planned) throw new Error(`${j.name}: no plan for step ${step}`);
    const n = visits.get(step) ?? 0;
    visits.set(step, n + 1);
    const list = Array.isArray(planned) ? planned : [planned];
    const a = list[Math.min(n, list.length - 1)]!;
    if ("press" in a) t.press(a.press);
    else if ("text" in a) t.text(a.text);
    else if ("cat" in a) t.topic(a.cat);
    else if ("muni" in a) t.press(`m:${muni(t, a.muni)}`);
    else t.send(PHONE);
  }
  throw new Error(`${j.name}: no end after 40 actions (at ${t.step})`);
}

const TARGET = { actions: 8, messages: 10 };

describe("path length per journey (issue 12.1)", () => {
  const rows: string[] = [];
  for (const j of JOURNEYS) {
    it(j.name, () => {
      const t = new CountedTalk(demoCtx());
      walk(t, j);
      if (j.ends === "request") expect(t.created(), `${j.name}: no request at ${t.step}`).toBe(true);
      else expect(["teen_help", "info"]).toContain(t.step);
      const req = t.all.find((e) => e.type === "createRequest");
      if (j.request && req?.type === "createRequest") {
        if (j.request.flags) expect(req.request.flags).toEqual(expect.arrayContaining(j.request.flags));
        if (j.request.urgency) expect(req.request.urgency).toBe(j.request.urgency);
        if (j.request.contactMethod) expect(req.request.contactMethod).toBe(j.request.contactMethod);
      }
      rows.push(`${j.name}: ${t.actions} actions, ${t.messages} bot messages, ${t.chars} characters`);
      expect(t.actions).toBeLessThanOrEqual(TARGET.actions);
      expect(t.messages).toBeLessThanOrEqual(TARGET.messages);
    });
  }
  it("prints the figures", () => {
    console.log(`path lengths (target ≤ ${TARGET.actions} actions, ≤ ${TARGET.messages} bot messages):\n  ${rows.join("\n  ")}`);
    expect(rows.length).toBe(JOURNEYS.length);
  });
});
