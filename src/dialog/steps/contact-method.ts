// «Как с вами связаться?»: a call or a message. Asked only from the summary's «Изменить способ связи»
// (issue 12.1): by default the center calls the phone given, or writes here when there is none.
import { sosRow } from "../run.ts";
import type { StepModule } from "./step-module.ts";

export const contactMethodStep: StepModule = {
  id: "contact_method",
  slot: {
    step: "contact_method",
    applies: (s) => s.answers.askContact,
    answered: (s) => s.answers.contactMethod !== undefined,
    clear: (a) => ({ ...a, contactMethod: undefined, askContact: true }),
  },
  view: (r) => ({
    parts: [r.t("method-prompt")],
    options: [[{ id: "call", label: r.t("opt-method-call"), words: r.words("words-method-call") }], [{ id: "message", label: r.t("opt-method-message") }], sosRow(r)],
    freeText: false,
  }),
  onOption(r, id) {
    if (id !== "call" && id !== "message") return false;
    r.setAnswers({ contactMethod: id });
    r.advance();
    return true;
  },
};
