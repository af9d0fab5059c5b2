// «Вам есть 18?»: retired from the flow (issue 12.1: «Мне нет 18» is a button of the danger question,
// and «мне 15» is understood at every step). Kept so a dialog stored at this step still reads its answer.
import { optionsFlat, sosRow } from "../run.ts";
import { typedAge } from "../text-input.ts";
import { never, type StepModule } from "./step-module.ts";
import { answerAge, becomeMinor, confirmAdult } from "./teen-help.ts";

export const ageStep: StepModule = {
  id: "age",
  slot: {
    step: "age",
    applies: never,
    answered: (s) => s.answers.under18 !== undefined,
    clear: (a) => ({ ...a, under18: undefined }),
  },
  view: (r) => ({
    parts: [r.t("age-prompt")],
    options: [[{ id: "adult", label: r.t("opt-age-adult"), words: r.words("words-yes") }], [{ id: "minor", label: r.t("opt-age-minor"), words: r.words("words-no") }], sosRow(r)],
    freeText: false,
  }),
  onOption: answerAge,
  // An age in digits is an answer («15», «15 лет», «42»), unless it is an option number.
  early(r, text, v) {
    const age = typedAge(text);
    // Below 10 a bare digit is a mistyped option number, not a writer's age.
    if (age === null || !((age > optionsFlat(v).length && age >= 10) || /\p{L}/u.test(text))) return false;
    if (age < 18) becomeMinor(r);
    else confirmAdult(r);
    return true;
  },
};
