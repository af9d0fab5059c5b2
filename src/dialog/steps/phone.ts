// «Телефон для связи»: typed, shared with the messenger's button, or «Пишите сюда».
import { onSos } from "../emergency.ts";
import { normalisePhone } from "../phone.ts";
import { optionsFlat, type Run, SHORT_TEXT_MAX, sosRow } from "../run.ts";
import { cleanText, matchOptionByText } from "../text-input.ts";
import { always, type StepModule } from "./step-module.ts";

export function acceptPhone(r: Run, e164: string, foreign: boolean): void {
  r.setAnswers({ phone: e164, pendingPhone: undefined });
  if (foreign) r.say("phone-foreign", { phone: e164 });
  r.advance();
}

/** A typed number (or one of the step's options typed as words). */
export function onPhoneText(r: Run, raw: string): void {
  const c = cleanText(raw, SHORT_TEXT_MAX);
  if (c.type !== "ok") {
    r.say(c.type === "empty" ? "bad-empty" : "phone-invalid-not-a-number");
    r.show();
    return;
  }
  const id = matchOptionByText(
    c.text,
    optionsFlat(r.view()).map((o) => ({ id: o.id, labels: [o.label, ...(o.words ?? [])] })),
  );
  // An option typed as words goes through the same handler as its press.
  if (id) return r.option(id);
  const n = normalisePhone(c.text);
  if (n.type === "invalid") {
    r.say(`phone-invalid-${n.reason.replaceAll("_", "-")}`);
    r.show();
    return;
  }
  acceptPhone(r, n.e164, n.foreign);
}

/** A contact shared with the messenger's button; kept only when the phone is the question. */
export function onContact(r: Run, phone: string, own: boolean): void {
  if (r.s.modal || (r.s.step !== "phone" && r.s.step !== "phone_confirm")) {
    // Not asked for: nothing from it is kept.
    r.say("contact-not-now");
    r.show();
    return;
  }
  const n = normalisePhone(phone);
  if (n.type === "invalid") {
    r.say(`phone-invalid-${n.reason.replaceAll("_", "-")}`);
    r.show();
    return;
  }
  if (!own) {
    // A contact card of someone else is not proof of the sender's number: ask.
    r.setAnswers({ pendingPhone: n.e164, phone: undefined });
    r.advance();
    return;
  }
  acceptPhone(r, n.e164, n.foreign);
}

export const phoneStep: StepModule = {
  id: "phone",
  slot: {
    step: "phone",
    applies: always,
    answered: (s) => s.answers.phone !== undefined,
    clear: (a) => ({ ...a, phone: undefined, pendingPhone: undefined }),
  },
  view: (r) => ({
    parts: [r.t("phone-prompt")],
    options: [[{ id: "nophone", label: r.t("opt-no-phone") }], sosRow(r)],
    contact: { shareLabel: r.t("phone-share") },
    freeText: true,
  }),
  onOption(r, id) {
    if (id !== "nophone") return false;
    r.setAnswers({ phone: null, pendingPhone: undefined, contactMethod: "message" });
    r.advance();
    return true;
  },
  readText(r, raw, helpAsked) {
    // A number does not ask for help: the numbers, and the same question again.
    if (helpAsked) return onSos(r);
    onPhoneText(r, raw);
  },
};
