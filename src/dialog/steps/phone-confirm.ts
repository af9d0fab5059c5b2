// A shared contact that is not the sender's own: «Звонить на этот номер?» before it is used.
import { sosRow } from "../run.ts";
import { acceptPhone, onPhoneText } from "./phone.ts";
import { never, type StepModule } from "./step-module.ts";

export const phoneConfirmStep: StepModule = {
  id: "phone_confirm",
  slot: {
    step: "phone_confirm",
    applies: (s) => s.answers.pendingPhone !== undefined && s.answers.phone === undefined,
    answered: never,
    clear: (a) => ({ ...a, pendingPhone: undefined }),
  },
  view: (r) => ({
    parts: [r.t("phone-confirm", { phone: r.s.answers.pendingPhone ?? "" })],
    options: [[{ id: "use", label: r.t("opt-phone-use"), words: r.words("words-yes") }], [{ id: "other", label: r.t("opt-phone-other"), words: r.words("words-no") }], sosRow(r)],
    freeText: true,
  }),
  onOption(r, id) {
    const a = r.s.answers;
    if (id === "use" && a.pendingPhone) {
      acceptPhone(r, a.pendingPhone, !a.pendingPhone.startsWith("+7"));
      return true;
    }
    if (id === "other") {
      r.setAnswers({ pendingPhone: undefined, phone: undefined });
      r.advance();
      return true;
    }
    return false;
  },
  // Another number typed instead.
  onText: (r, _text, raw) => onPhoneText(r, raw),
};
