// A typed message: the words that work on every step («назад», «отмена», «мне 15»), an option typed
// as its number, label or a synonym, and otherwise what the current step makes of the text.
import { onSos } from "./emergency.ts";
import { stepModule } from "./flow.ts";
import { onBack, onCancel } from "./navigation.ts";
import { optionsFlat, type Run, SHORT_TEXT_MAX, type View } from "./run.ts";
import { becomeMinor } from "./steps/teen-help.ts";
import { callForHelp, cleanText, foldText as foldWords, matchOptionByText, saysMinor } from "./text-input.ts";

export function onText(r: Run, raw: string): void {
  r.textReadAt = r.s.modal ? undefined : r.s.step;
  const v = r.view();
  const cleaned = cleanText(raw, SHORT_TEXT_MAX);

  // "назад" / "Назад!" / "вернуться" / "отмена" typed as words work like the commands, on every step
  // (punctuation and case ignored, so «Назад!» is never kept as an answer).
  if (cleaned.type === "ok") {
    const folded = foldWords(cleaned.text);
    if (r.words("words-back").map(foldWords).includes(folded)) return onBack(r);
    if (r.words("words-cancel").map(foldWords).includes(folded)) return onCancel(r);
  }

  // A young person saying so («мне 15», «я подросток, хочу просто поговорить»): the children's
  // helpline, and nothing identifying is kept (design.md §4). Not after the request was sent.
  if (cleaned.type === "ok" && !r.s.modal && r.s.step !== "done" && r.s.step !== "teen_help" && saysMinor(cleaned.text)) return becomeMinor(r);
  const step = stepModule(r.s.step);
  if (cleaned.type === "ok" && !r.s.modal && step.early?.(r, cleaned.text, v)) return;

  // Not understood but asking for help («помогите, он опять…»): when in doubt, show the numbers.
  const helpAsked = callForHelp(raw) === "contains";

  if (r.s.modal) {
    const id = cleaned.type === "ok" ? pickOption(v, cleaned.text) : null;
    if (id && id !== "bad_number") return r.option(id);
    if (helpAsked) return onSos(r);
    r.say(cleaned.type === "ok" ? "not-understood" : cleaned.type === "emoji_only" ? "bad-emoji" : "bad-empty");
    r.show();
    return;
  }

  if (cleaned.type === "empty") {
    r.say("bad-empty");
    r.show();
    return;
  }

  // Steps that read free text themselves (description, name, phone).
  if (step.readText) return step.readText(r, raw, helpAsked);

  if (cleaned.type === "emoji_only") {
    r.say("bad-emoji");
    r.show();
    return;
  }
  const text = cleaned.text;
  const id = pickOption(v, text);
  if (id === "bad_number") {
    r.say("bad-number", { count: optionsFlat(v).length });
    r.show();
    return;
  }
  if (id) return r.option(id);
  if (step.onText) return step.onText(r, text, raw, helpAsked);
  if (helpAsked) return onSos(r);
  r.say("not-understood");
  r.show();
}

/** The option a typed text clearly means: its number, label or a synonym. */
function pickOption(v: View, text: string): string | null | "bad_number" {
  const flat = optionsFlat(v);
  const digits = /^\d{1,2}$/.test(text.trim());
  if (digits && !v.freeText) {
    const n = Number(text.trim());
    const opt = flat[n - 1];
    return opt ? opt.id : "bad_number";
  }
  if (digits) return null;
  return matchOptionByText(
    text,
    flat.map((o) => ({ id: o.id, labels: [o.label.replace(/^✓ /, ""), ...(o.words ?? [])] })),
  );
}
