// A typed place that fits several regions: the person chooses (or types again).
import { regionName, type Run, sosRow } from "../run.ts";
import { onRegionText } from "./region.ts";
import { never, type StepModule } from "./step-module.ts";

/**
 * Button labels for the region names longer than MAX shows (30 characters, issue 12.6): their usual
 * short forms, reworded rather than cut. Messages keep the full names.
 */
export const REGION_BUTTON_NAMES: Readonly<Record<string, string>> = {
  "07": "Кабардино-Балкария",
  "09": "Карачаево-Черкесия",
  "15": "Северная Осетия – Алания",
  "16": "Республика Татарстан",
  "86": "ХМАО – Югра",
  "89": "Ямало-Ненецкий АО",
};

export function regionButtonLabel(r: Run, code: string): string {
  return REGION_BUTTON_NAMES[code] ?? regionName(r, code);
}

export const regionChooseStep: StepModule = {
  id: "region_choose",
  slot: {
    step: "region_choose",
    applies: (s) => s.answers.regionChoices.length > 0 && s.answers.regionCode === undefined,
    answered: never,
    clear: (a) => ({ ...a, regionChoices: [] }),
  },
  view: (r) => ({
    parts: [r.t("region-choose")],
    options: [...r.s.answers.regionChoices.map((code) => [{ id: `r:${code}`, label: regionButtonLabel(r, code) }]), [{ id: "other", label: r.t("opt-region-retry") }], sosRow(r)],
    freeText: false,
  }),
  onOption(r, id) {
    const a = r.s.answers;
    if (id.startsWith("r:")) {
      const code = id.slice(2);
      if (!a.regionChoices.includes(code)) return false;
      r.setAnswers({ regionCode: code, regionChoices: [], municipalityId: undefined, municipalityChoices: [] });
      r.advance();
      return true;
    }
    if (id === "other") {
      r.setAnswers({ regionChoices: [] });
      r.advance();
      return true;
    }
    return false;
  },
  onText: (r, text) => onRegionText(r, text),
};
