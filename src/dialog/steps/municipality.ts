// «Где именно в регионе?»: asked only where the municipality changes where the request goes
// (issue 12.1: not in one-municipality regions, not where no rule or center depends on it) and the
// typed place did not already name one.
import { regionName, sosRow } from "../run.ts";
import type { StepModule } from "./step-module.ts";

export const municipalityStep: StepModule = {
  id: "municipality",
  slot: {
    step: "municipality",
    applies: (s, c) => s.answers.regionCode !== undefined && (c.municipalityMatters ? c.municipalityMatters(s) : c.hasMunicipalities(s.answers.regionCode)),
    answered: (s) => s.answers.municipalityId !== undefined,
    clear: (a) => ({ ...a, municipalityId: undefined, municipalityChoices: [] }),
  },
  view(r) {
    const a = r.s.answers;
    const all = r.ctx.catalog.municipalities.filter((m) => m.regionCode === a.regionCode);
    const shown = a.municipalityChoices.length > 0 ? all.filter((m) => a.municipalityChoices.includes(m.id)) : all.length <= 10 ? all : [];
    return {
      parts: [r.t(shown.length > 0 ? "muni-prompt" : "muni-prompt-typed", { region: regionName(r, a.regionCode) })],
      options: [...shown.map((m) => [{ id: `m:${m.id}`, label: m.name }]), [{ id: "other", label: r.t("muni-other-label"), words: r.words("words-dont-know") }], sosRow(r)],
      freeText: false,
    };
  },
  onOption(r, id) {
    const a = r.s.answers;
    if (id.startsWith("m:")) {
      const mid = id.slice(2);
      if (!r.ctx.catalog.municipalities.some((m) => m.id === mid && m.regionCode === a.regionCode)) return false;
      r.setAnswers({ municipalityId: mid, municipalityChoices: [] });
      r.advance();
      return true;
    }
    if (id === "other") {
      r.setAnswers({ municipalityId: null, municipalityChoices: [] });
      r.advance();
      return true;
    }
    return false;
  },
  onText(r, text) {
    const code = r.s.answers.regionCode;
    if (!code) return r.advance();
    const m = r.ctx.catalog.matcher.matchMunicipality(code, text);
    if (m.type === "one") {
      r.setAnswers({ municipalityId: m.id, municipalityChoices: [] });
      r.advance();
      return;
    }
    if (m.type === "many") {
      r.setAnswers({ municipalityChoices: m.ids });
      r.show();
      return;
    }
    r.say("muni-none");
    r.show();
  },
};
