// «Когда удобно?»: morning, day, evening or any time. Asked only from the summary (default: any time).
import { sosRow } from "../run.ts";
import type { StepModule } from "./step-module.ts";

export const contactTimeStep: StepModule = {
  id: "contact_time",
  slot: {
    step: "contact_time",
    applies: (s) => s.answers.askContact,
    answered: (s) => s.answers.contactTime !== undefined,
    clear: (a) => ({ ...a, contactTime: undefined, askContact: true }),
  },
  view: (r) => ({
    parts: [r.t("time-prompt")],
    options: [
      [{ id: "morning", label: r.t("opt-time-morning") }, { id: "day", label: r.t("opt-time-day") }],
      [{ id: "evening", label: r.t("opt-time-evening") }, { id: "any", label: r.t("opt-time-any"), words: r.words("words-time-any") }],
      sosRow(r),
    ],
    freeText: false,
  }),
  onOption(r, id) {
    if (id !== "morning" && id !== "day" && id !== "evening" && id !== "any") return false;
    r.setAnswers({ contactTime: id });
    r.advance();
    return true;
  },
};
