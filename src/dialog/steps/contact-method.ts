// «Как с вами связаться?»: a call or a message.
import { sosRow } from "../run.ts";
import { always, type StepModule } from "./step-module.ts";

export const contactMethodStep: StepModule = {
  id: "contact_method",
  slot: {
    step: "contact_method",
    applies: always,
    answered: (s) => s.answers.contactMethod !== undefined,
    clear: (a) => ({ ...a, contactMethod: undefined }),
  },
  view: (r) => ({
    parts: [r.t("method-prompt")],
    options: [[{ id: "call", label: r.t("opt-method-call") }], [{ id: "message", label: r.t("opt-method-message") }], sosRow(r)],
    freeText: false,
  }),
  onOption(r, id) {
    if (id !== "call" && id !== "message") return false;
    r.setAnswers({ contactMethod: id });
    r.advance();
    return true;
  },
};
