// The screening hook: every free text (typed, edited, a caption) is screened for danger first, at
// every step and screen, before anything can gate it (design.md §3, issue 11).
import { type Category, CATEGORIES } from "../domain/taxonomy.ts";
import { suggestCategories } from "./category-suggest.ts";
import { onHelpCall } from "./emergency.ts";
import { screenRedFlags } from "./red-flags.ts";
import type { Run } from "./run.ts";
import type { InboundEvent } from "./service-types.ts";
import type { DialogState } from "./state.ts";
import { callForHelp, cleanText } from "./text-input.ts";

/** The free text an event carries: typed, edited, or the caption of a photo, video or document. */
export function freeTextOf(event: InboundEvent): string | null {
  if (event.type === "text" || event.type === "edited") return event.text;
  if (event.type === "unsupported" && event.caption) return event.caption;
  return null;
}

export type Screened =
  /** The screening answered the event itself (the numbers, the emergency path). */
  | { type: "handled" }
  /** Go on with the event; `hit` is the level of a red flag found in it, if any. */
  | { type: "go"; hit: "P0" | "P1" | null };

export function screenEvent(r: Run, event: InboundEvent): Screened {
  const free = freeTextOf(event);
  if (free === null) return { type: "go", hit: null };
  let hit: "P0" | "P1" | null = null;
  const flag = screenRedFlags(free);
  if (flag.type === "hit") {
    hit = flag.level;
    if (flag.level === "P0") {
      if (onRedFlagP0(r, free, flag.matches)) return { type: "handled" };
    } else {
      notePhrases(r, flag.matches, "P1");
    }
  }
  // «помогите», «SOS», «срочно»… on their own: the numbers at once; the dialog stays where it was.
  if (callForHelp(free) === "only") {
    onHelpCall(r);
    return { type: "handled" };
  }
  return { type: "go", hit };
}

/** Red-flag ids found in free text become reasons: in the state, or on the request once it is sent. */
export function notePhrases(r: Run, ids: readonly string[], level: "P0" | "P1"): void {
  const s = r.s;
  if (s.answers.under18 === true || ids.length === 0) return;
  if (s.submitted) {
    const reasons = ids.map((id) => ({ source: "phrase" as const, code: id, level, dangerNow: level === "P0" }));
    r.effects.push({ type: "escalateRequest", level, reasons });
    return;
  }
  if (level === "P0") {
    // A request from an earlier dialog may still be open: its center must hear this too.
    const reasons = ids.map((id) => ({ source: "phrase" as const, code: id, level, dangerNow: true }));
    r.effects.push({ type: "escalateRequest", level, reasons, ifOpen: true });
  }
  const flags = [...s.phraseFlags];
  for (const id of ids) {
    const i = flags.findIndex((f) => f.id === id);
    if (i < 0) flags.push({ id, level });
    else if (level === "P0") flags[i] = { id, level };
  }
  r.s = { ...s, phraseFlags: flags };
}

/**
 * A danger-now phrase in free text: the numbers at once (the only place that says «то, что вы
 * написали, звучит очень серьёзно»), the phrase recorded as the reason, then the emergency path.
 * False when the dialog is already on that path and the text is an ordinary answer.
 */
function onRedFlagP0(r: Run, text: string, ids: readonly string[]): boolean {
  notePhrases(r, ids, "P0");
  const s = r.s;
  if (s.answers.under18 === true) {
    r.say("red-numbers", { numbers: r.numbers() });
    r.s = { ...s, step: "teen_help", greeted: true };
    r.show();
    return true;
  }
  if (s.submitted) {
    r.say("red-numbers", { numbers: r.numbers() });
    r.replies.push({ type: "outcome", of: "escalateRequest" });
    r.show();
    return true;
  }
  if (s.urgent) {
    // Already on the emergency path: the numbers again, and the text is read as an ordinary answer.
    r.say("red-numbers", { numbers: r.numbers() });
    return false;
  }
  const a = s.answers;
  const patch: Partial<DialogState["answers"]> = {};
  // The words that raised the flag describe the situation: kept as the description only when that
  // is the question (after consent); before consent nothing personal is stored, only the flag ids.
  if (s.step === "description" && (a.description === undefined || a.description === null) && !s.modal) {
    const cleaned = cleanText(text, r.ctx.descriptionMaxLength);
    if (cleaned.type === "ok") patch.description = cleaned.text;
  }
  if (!a.categoriesDone) {
    const merged = new Set<Category>([...a.categories, ...suggestCategories(text)]);
    patch.categories = CATEGORIES.filter((c) => merged.has(c));
  }
  r.s = { ...s, urgent: true, noDanger: false, cancelled: false, greeted: true, modal: undefined, answers: { ...a, ...patch } };
  r.say("red-numbers", { numbers: r.numbers() });
  r.advance();
  return true;
}
