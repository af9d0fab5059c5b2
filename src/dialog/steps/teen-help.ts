// A young person writing: the children's helpline and a chat option; nothing identifying is kept.
import { restartRow, type Run, sosRow } from "../run.ts";
import type { StepModule } from "./step-module.ts";

/** The all-Russian children's helpline (8-800-2000-122), whose site offers writing instead of calling. */
const TEEN_CHAT_URL = "https://telefon-doveria.ru/";

export function becomeMinor(r: Run): void {
  // Under 18: the children's helpline, and nothing identifying is kept.
  r.setAnswers({ under18: true, description: undefined, name: undefined, phone: undefined, pendingPhone: undefined });
  r.advance();
}

/** «Мне есть 18» on the age question or on the teen screen. */
export function confirmAdult(r: Run): void {
  r.setAnswers({ under18: false });
  r.advance();
}

/** The «18 or older» / «under 18» buttons, on the age question and on the teen screen alike. */
export function answerAge(r: Run, id: string): boolean {
  if (id === "adult") confirmAdult(r);
  else if (id === "minor") becomeMinor(r);
  else return false;
  return true;
}

export const teenHelpStep: StepModule = {
  id: "teen_help",
  view: (r) => ({
    parts: [`${r.t("teen-help")}\n\n${r.t("teen-chat")}`],
    options: [[{ id: "adult", label: r.t("opt-teen-adult") }], restartRow(r), sosRow(r)],
    link: { label: r.t("opt-teen-chat"), url: TEEN_CHAT_URL },
    freeText: false,
  }),
  onOption: answerAge,
};
