// Issue 12.6: texts for a stressed parent on a phone. Every message of the dialog (ru and en) fits in
// 400 characters when rendered with real values (the emergency numbers, a center whose name has its
// own quotes); yes/no questions ask positively (no «Вам негде ночевать? Да / Нет»); organisation names
// sit in constructions without gender agreement (never «Её получил Региональная кризисная линия»);
// no quote pileups («центра «Центр … «Вместе»»»). The messages of real journeys are checked too.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHECKS } from "../../src/dialog/flow.ts";
import type { InboundEvent } from "../../src/dialog/service-types.ts";
import { LOCALES } from "../../src/i18n/i18n.ts";
import { demoCtx } from "./demo-context.ts";
import { i18n, Talk } from "./fixture.ts";

const MAX = 400;
// Texts the family reads: the dialog, the shared numbers, and what the center's specialist sends.
const FILES = ["dialog.ftl", "common.ftl"];
const FAMILY_HANDOFF = ["handoff-family-relay", "handoff-family-taken", "handoff-family-closed"];

function keysOf(locale: string, file: string): string[] {
  const src = readFileSync(`locales/${locale}/${file}`, "utf8");
  return [...src.matchAll(/^([a-z][\w-]*)\s*=/gm)].map((m) => m[1]!);
}
const familyKeys = (locale: string) => [...FILES.flatMap((f) => keysOf(locale, f)), ...FAMILY_HANDOFF];

function argsFor(locale: string, center: string) {
  return {
    numbers: i18n.t(locale as never, "emergency-numbers"),
    count: 2,
    max: 1000,
    page: 1,
    pages: 2,
    list: "• Жильё: выселение, негде жить\n• Нет денег, еды, работы",
    number: "63-00001",
    region: "Кемеровская область - Кузбасс",
    center,
    phone: "+7 000 000-63-00",
    hours: "пн–пт 09:00–18:00, сб 10:00–14:00",
    operator: "АНО «Опора»",
    when: "до 18:00 завтра",
    text: "Здравствуйте! Удобно ли поговорить в 18:00?",
    name: "Анна",
    method: "позвонить",
    time: "вечером",
    status: "принята, ждёт специалиста",
    date: "01.12.2026",
  };
}
// A center named with its own quotes, and one of feminine gender (the agreement trap).
const QUOTED = "Центр поддержки детей и семей «Вместе»";
const FEMININE = "Региональная кризисная линия (круглосуточно)";

/** Whether a text has a quote inside a quote: «…«…»…». */
function nestedQuotes(text: string): boolean {
  let depth = 0;
  for (const ch of text) {
    if (ch === "«") {
      depth++;
      if (depth > 1) return true;
    } else if (ch === "»") depth = Math.max(0, depth - 1);
  }
  return false;
}

describe("texts a family reads (issue 12.6)", () => {
  for (const locale of LOCALES) {
    it(`${locale}: every message is at most ${MAX} characters with real values`, () => {
      const long = familyKeys(locale)
        .map((k) => [k, i18n.t(locale, k, argsFor(locale, QUOTED)).length] as const)
        .filter(([, n]) => n > MAX);
      expect(long).toEqual([]);
    });

    it(`${locale}: no quote inside a quote, even for a center named with quotes`, () => {
      const piled = familyKeys(locale).filter((k) => nestedQuotes(i18n.t(locale, k, argsFor(locale, QUOTED))));
      expect(piled).toEqual([]);
    });
  }

  it("yes/no questions ask positively: no negation in the question", () => {
    const keys = ["danger-now", "age-prompt", ...CHECKS.map((c) => c.key)];
    const NEG = { ru: /(?:^|[\s,])(?:не|нет|нечего|негде|некуда|никто|ничего|никогда|ни)(?=[\s,?.!]|$)/iu, en: /\b(?:not|no|nothing|nowhere|nobody|never|n't)\b/i };
    for (const locale of LOCALES) {
      for (const key of keys) {
        const question = i18n.t(locale, key).split(/(?<=[.!])\s+/).filter((s) => s.includes("?")).join(" ");
        expect(question, `${locale}: ${key}`).not.toBe("");
        expect(question, `${locale}: ${key}`).not.toMatch(NEG[locale]);
      }
    }
  });

  it("ru: a center's name is never the subject of a verb that needs its gender", () => {
    // «Её получил { $center }», «{ $center } принял…»: a past-tense verb right next to the name.
    const bad: string[] = [];
    for (const file of ["dialog.ftl", "handoff.ftl", "urgency.ftl"]) {
      for (const line of readFileSync(`locales/ru/${file}`, "utf8").split("\n")) {
        if (/[а-яё]+(?:л|ла|ло)\s+«?\{ \$center \}|\{ \$center \}»?\s+[а-яё]+(?:л|ла|ло)\b/iu.test(line)) bad.push(`${file}: ${line.trim()}`);
      }
    }
    expect(bad).toEqual([]);
    // Rendered with a feminine name, the confirmation reads without agreement.
    expect(i18n.t("ru", "confirm-center", argsFor("ru", FEMININE))).toMatch(/^Заявка передана: Региональная кризисная линия/);
  });

  it("the messages of real journeys fit a phone screen, the consent screen included", () => {
    const phone: InboundEvent = { type: "contact", phone: "+79991234567", own: true };
    const long: string[] = [];
    const check = (t: Talk) => {
      for (const r of t.replies) {
        if (r.type !== "text" && r.type !== "requestContact") continue;
        if (r.text.length > MAX) long.push(`${t.step}: ${r.text.length}: ${r.text.slice(0, 60)}`);
      }
    };
    const ctx = demoCtx();
    const walks: ((t: Talk) => void)[] = [
      (t) => {
        t.send({ type: "start", payload: "63" });
        check(t);
        t.cat("housing");
        check(t);
        for (const id of ["done", "no", "yes"]) {
          t.press(id);
          check(t);
        }
      },
      (t) => {
        t.send({ type: "start" }).cat("parental_burnout").press("done").press("no");
        check(t);
        t.press("yes");
        check(t);
      },
      (t) => {
        t.send({ type: "start" }).cat("teen_law").press("done").press("no");
        t.press("yes");
        check(t);
      },
      (t) => {
        t.send({ type: "start" }).cat("violence").press("done").press("yes");
        check(t);
        t.press("unsafe");
        check(t);
        t.text("Самара");
        check(t);
      },
      (t) => {
        t.text("помогите");
        check(t);
        t.send({ type: "command", name: "help" });
        check(t);
        t.text("мне 15");
        check(t);
      },
      (t) => {
        t.send({ type: "start", payload: "54" }).topic("legal_docs");
        check(t);
        t.press("no");
        check(t);
        if (t.step === "family_flags") t.press("y:child_under_4");
        check(t);
        if (t.step === "consent") t.press("give");
        check(t);
        t.text("Нужна консультация юриста по алиментам. Анна");
        check(t);
        t.send(phone);
        check(t);
        t.press("e:name");
        check(t);
        t.text("Анна");
        check(t);
        t.press("e:contact");
        check(t);
        t.press("call");
        check(t);
        t.press("any");
        check(t);
        t.press("submit");
        check(t);
      },
    ];
    for (const w of walks) w(new Talk(ctx));
    expect(long).toEqual([]);
  });
});
