// «Есть ли опасность прямо сейчас?»: «Да» enters the emergency path.
import { enterUrgent } from "../emergency.ts";
import { sosRow, yesNo } from "../run.ts";
import { always, type StepModule } from "./step-module.ts";

export const dangerNowStep: StepModule = {
  id: "danger_now",
  slot: {
    step: "danger_now",
    applies: always,
    answered: (s) => s.answers.dangerNow !== undefined,
    clear: (a) => ({ ...a, dangerNow: undefined }),
  },
  view: (r) => ({ parts: [r.t("danger-now")], options: [...yesNo(r), sosRow(r)], freeText: false }),
  onOption(r, id) {
    if (id === "yes") {
      r.setAnswers({ dangerNow: true });
      enterUrgent(r, "urgent-danger-now");
      return true;
    }
    if (id === "no") {
      r.setAnswers({ dangerNow: false });
      r.advance();
      return true;
    }
    return false;
  },
};
