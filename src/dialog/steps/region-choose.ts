// A typed place that fits several regions: the person chooses (or types again).
import { regionName, sosRow } from "../run.ts";
import { onRegionText } from "./region.ts";
import { never, type StepModule } from "./step-module.ts";

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
    options: [...r.s.answers.regionChoices.map((code) => [{ id: `r:${code}`, label: regionName(r, code) }]), [{ id: "other", label: r.t("opt-region-retry") }], sosRow(r)],
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
