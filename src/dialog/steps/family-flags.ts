// «Что из этого про вашу семью?»: ticks (child under 4, disability, pregnancy…), one message edited in place.
import { type OptDef, sosRow } from "../run.ts";
import { FAMILY_FLAGS, type FamilyFlag } from "../state.ts";
import { isInformationOnly } from "../urgency.ts";
import type { StepModule } from "./step-module.ts";

export const familyFlagsStep: StepModule = {
  id: "family_flags",
  slot: {
    step: "family_flags",
    applies: (s) => !isInformationOnly(s),
    answered: (s) => s.answers.familyFlagsDone,
    clear: (a) => ({ ...a, familyFlagsDone: false }),
  },
  view(r) {
    const a = r.s.answers;
    const rows: OptDef[][] = FAMILY_FLAGS.map((f) => [{ id: `f:${f}`, label: (a.familyFlags.includes(f) ? "✓ " : "") + r.t(`flag-${f.replaceAll("_", "-")}`) }]);
    rows.push([{ id: "none", label: r.t("opt-flags-none"), words: r.words("words-no") }]);
    rows.push([{ id: "done", label: r.t("opt-done", { count: a.familyFlags.length }), words: r.words("words-done") }]);
    rows.push(sosRow(r));
    return { parts: [r.t("flags-prompt")], options: rows, freeText: false };
  },
  onOption(r, id) {
    const a = r.s.answers;
    if (id.startsWith("f:")) {
      const f = id.slice(2) as FamilyFlag;
      if (!FAMILY_FLAGS.includes(f)) return false;
      const set = new Set(a.familyFlags);
      if (set.has(f)) set.delete(f);
      else set.add(f);
      r.setAnswers({ familyFlags: FAMILY_FLAGS.filter((x) => set.has(x)) });
      r.show();
      return true;
    }
    if (id === "none") {
      r.setAnswers({ familyFlags: [], familyFlagsDone: true });
      r.advance();
      return true;
    }
    if (id === "done") {
      r.setAnswers({ familyFlagsDone: true });
      r.advance();
      return true;
    }
    return false;
  },
};
