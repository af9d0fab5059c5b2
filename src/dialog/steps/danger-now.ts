// «Есть ли опасность прямо сейчас?»: «Да» enters the emergency path. «Мне нет 18» sits here instead
// of a question of its own (issue 12.1): a young person says so and gets the children's helpline.
import { enterUrgent } from "../emergency.ts";
import { optionsFlat, sosRow, yesNo } from "../run.ts";
import { typedAge } from "../text-input.ts";
import { always, type StepModule } from "./step-module.ts";
import { becomeMinor } from "./teen-help.ts";

export const dangerNowStep: StepModule = {
  id: "danger_now",
  slot: {
    step: "danger_now",
    applies: always,
    answered: (s) => s.answers.dangerNow !== undefined,
    clear: (a) => ({ ...a, dangerNow: undefined }),
  },
  view: (r) => ({ parts: [r.t("danger-now")], options: [...yesNo(r), [{ id: "minor", label: r.t("opt-under-18") }], sosRow(r)], freeText: false }),
  onOption(r, id) {
    if (id === "minor") {
      becomeMinor(r);
      return true;
    }
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
  // An age under 18 typed here («15», «15 лет») is the «Мне нет 18» button; an adult's age is no answer
  // to the danger question. Below 10 a bare digit is a mistyped option number.
  early(r, text, v) {
    const age = typedAge(text);
    if (age === null || age >= 18 || !((age > optionsFlat(v).length && age >= 10) || /\p{L}/u.test(text))) return false;
    becomeMinor(r);
    return true;
  },
};
