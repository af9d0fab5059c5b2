// The first question of the emergency path: is the person somewhere safe now? «Опасности нет»
// leaves the path (a false alarm stays at least P1, with its own reason).
import { sosRow } from "../run.ts";
import { always, type StepModule } from "./step-module.ts";
import { becomeMinor } from "./teen-help.ts";

export const p0SafeStep: StepModule = {
  id: "p0_safe",
  slot: {
    step: "p0_safe",
    applies: always,
    answered: (s) => s.answers.safeNow !== undefined,
    clear: (a) => ({ ...a, safeNow: undefined }),
  },
  view: (r) => ({
    parts: [r.t("p0-safe-prompt")],
    options: [
      [{ id: "safe", label: r.t("opt-p0-safe") }],
      [{ id: "unsafe", label: r.t("opt-p0-unsafe") }],
      [{ id: "minor", label: r.t("opt-age-minor") }],
      [{ id: "nodanger", label: r.t("opt-p0-nodanger") }],
      sosRow(r),
    ],
    freeText: false,
  }),
  onOption(r, id) {
    const s = r.s;
    const a = s.answers;
    if (id === "safe" || id === "unsafe") {
      r.setAnswers({ safeNow: id });
      if (id === "unsafe") r.say("p0-unsafe", { numbers: r.numbers() });
      r.advance();
      return true;
    }
    if (id === "minor") {
      becomeMinor(r);
      return true;
    }
    if (id === "nodanger") {
      r.s = { ...s, urgent: false, noDanger: true, sosUrgent: false, answers: { ...a, dangerNow: a.dangerNow === true ? false : a.dangerNow, safeNow: undefined } };
      r.advance();
      return true;
    }
    return false;
  },
};
