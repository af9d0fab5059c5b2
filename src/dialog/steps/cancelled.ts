// The person cancelled (or withdrew consent): nothing kept; writing again is a fresh start.
import { suggestCategories } from "../category-suggest.ts";
import { restartRow, sosRow } from "../run.ts";
import { initialState } from "../state.ts";
import type { StepModule } from "./step-module.ts";

export const cancelledStep: StepModule = {
  id: "cancelled",
  view: (r) => ({ parts: [r.t("cancelled-idle")], options: [restartRow(r), sosRow(r)], freeText: false }),
  onText(r, text) {
    r.s = { ...initialState(r.s.locale, r.s.seq), greeted: true };
    const suggested = suggestCategories(text);
    if (suggested.length > 0) r.setAnswers({ suggested });
    r.say("greeting");
    r.advance();
  },
};
