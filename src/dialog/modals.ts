// Screens over the current step: /revoke's confirmation, /lang's choice, and the offer to continue
// after a long silence. Closing one shows the step again, unchanged.
import { type Run, sosRow, type View } from "./run.ts";
import type { Modal } from "./state.ts";
import { initialState } from "./state.ts";

export function modalView(r: Run, modal: Modal): View {
  switch (modal.kind) {
    case "revoke":
      return {
        parts: [r.t("revoke-confirm")],
        options: [[{ id: "revoke_yes", label: r.t("opt-revoke-yes") }], [{ id: "revoke_no", label: r.t("opt-revoke-no"), words: r.words("words-no") }], sosRow(r)],
        freeText: false,
      };
    case "lang":
      return {
        parts: [r.t("lang-prompt")],
        options: [[{ id: "lang_ru", label: "Русский", words: ["ru", "рус"] }, { id: "lang_en", label: "English", words: ["en", "eng", "англ"] }], sosRow(r)],
        freeText: false,
      };
    case "resume":
      return {
        parts: [r.t("resume-prompt")],
        options: [[{ id: "continue", label: r.t("opt-continue") }], [{ id: "restart", label: r.t("opt-restart") }], sosRow(r)],
        freeText: false,
      };
  }
}

export function onModalOption(r: Run, id: string): void {
  const s = r.s;
  switch (id) {
    case "revoke_yes":
      r.effects.push({ type: "eraseMyData" });
      r.replies.push({ type: "outcome", of: "eraseMyData" });
      r.s = { ...initialState(s.locale, s.seq), greeted: true, cancelled: true, step: "cancelled" };
      r.show();
      return;
    case "revoke_no":
      r.s = { ...s, modal: undefined };
      r.say("revoke-kept");
      r.show();
      return;
    case "lang_ru":
    case "lang_en":
      r.s = { ...s, modal: undefined, locale: id === "lang_ru" ? "ru" : "en" };
      r.say("lang-set");
      r.show();
      return;
    case "continue":
      r.s = { ...s, modal: undefined };
      r.say("resume-continue");
      r.show({ full: true });
      return;
    default:
      r.say("not-understood");
      r.show();
  }
}
