// The triage flow (issue 3 §"The triage flow", design.md §3): the order of the steps on the ordinary
// and on the emergency path. Each step is one module in steps/ (its question, how it reads answers,
// its slot); the current step is always "the first step that applies and is not answered yet", so
// "back", "edit from the summary" and a restart mid-dialog are the same simple operation: clear a
// slot and recompute.
import type { DialogState, StepId } from "./state.ts";
import { ageStep } from "./steps/age.ts";
import { cancelledStep } from "./steps/cancelled.ts";
import { categoriesStep } from "./steps/categories.ts";
import { categoryConfirmStep } from "./steps/category-confirm.ts";
import { checkSteps } from "./steps/checks.ts";
import { consentStep } from "./steps/consent.ts";
import { contactMethodStep } from "./steps/contact-method.ts";
import { contactTimeStep } from "./steps/contact-time.ts";
import { dangerNowStep } from "./steps/danger-now.ts";
import { descriptionStep } from "./steps/description.ts";
import { doneStep } from "./steps/done.ts";
import { familyFlagsStep } from "./steps/family-flags.ts";
import { infoStep } from "./steps/info.ts";
import { municipalityStep } from "./steps/municipality.ts";
import { nameStep } from "./steps/name.ts";
import { p0SafeStep } from "./steps/p0-safe.ts";
import { phoneStep } from "./steps/phone.ts";
import { phoneConfirmStep } from "./steps/phone-confirm.ts";
import { regionStep } from "./steps/region.ts";
import { regionChooseStep } from "./steps/region-choose.ts";
import type { FlowCatalog, Slot, StepModule } from "./steps/step-module.ts";
import { summaryStep } from "./steps/summary.ts";
import { teenHelpStep } from "./steps/teen-help.ts";
import { isInformationOnly } from "./urgency.ts";

// Older names of what moved out of this file, for the code and tests that import them from here.
export { CATEGORY_KEYWORDS, foldText, suggestCategories } from "./category-suggest.ts";
export { consentRecipientChanged } from "./recipient.ts";
export { CATEGORY_PAGE_SIZE, CATEGORY_PAGES } from "./steps/categories.ts";
export { type CheckDef, CHECKS, checkOfStep } from "./steps/checks.ts";
export type { FlowCatalog } from "./steps/step-module.ts";
export { computeUrgency, deriveFlags, isInformationOnly, urgencyReasons } from "./urgency.ts";

/** A point in the order that ends the dialog in "info": information only, or consent declined. */
type Gate = { gate: "info_only" | "declined" };
type Entry = StepModule | Gate;

export const NORMAL_ORDER: readonly Entry[] = [
  categoryConfirmStep,
  categoriesStep,
  dangerNowStep,
  // Retired (issue 12.1): never applies; kept so a dialog stored at it still reads its answer.
  ageStep,
  ...checkSteps,
  regionChooseStep,
  regionStep,
  municipalityStep,
  // Asked only where they change the recipient, so after the place.
  familyFlagsStep,
  { gate: "info_only" },
  // Nothing personal before consent (design.md §4): the description comes after it.
  consentStep,
  { gate: "declined" },
  descriptionStep,
  // Name, how and when: only when edited from the summary (the defaults: a call, any time).
  nameStep,
  phoneConfirmStep,
  phoneStep,
  contactMethodStep,
  contactTimeStep,
  summaryStep,
];

/** The emergency path: numbers first, then the fewest questions that let a center call back. */
export const URGENT_ORDER: readonly Entry[] = [
  p0SafeStep,
  regionChooseStep,
  regionStep,
  municipalityStep,
  consentStep,
  { gate: "declined" },
  phoneConfirmStep,
  phoneStep,
  contactMethodStep,
];

/** Where the dialog rests until the person starts over. */
const TERMINAL: readonly StepModule[] = [doneStep, infoStep, teenHelpStep, cancelledStep];

export const TERMINAL_STEPS: readonly StepId[] = TERMINAL.map((m) => m.id);
export function isTerminal(step: StepId): boolean {
  return TERMINAL_STEPS.includes(step);
}

const isGate = (e: Entry): e is Gate => "gate" in e;

/** Every step module, from the two orders and the terminal steps. */
export const STEP_MODULES: ReadonlyMap<StepId, StepModule> = new Map(
  [...NORMAL_ORDER, ...URGENT_ORDER, ...TERMINAL].filter((e): e is StepModule => !isGate(e)).map((m) => [m.id, m]),
);

export function stepModule(id: StepId): StepModule {
  const m = STEP_MODULES.get(id);
  // Every id of STEP_IDS has a module (tests/dialog/step-modules.test.ts).
  if (!m) throw new Error(`no module for step ${id}`);
  return m;
}

const slotOf = (e: Entry): Slot | null => (isGate(e) ? null : (e.slot ?? null));

function gatePasses(g: Gate, s: DialogState): boolean {
  if (g.gate === "info_only") return isInformationOnly(s);
  return s.answers.consent === "declined";
}

export type Resolution = { type: "step"; step: StepId } | { type: "submit" };

/** The step the dialog should be at now, given the answers (or "submit" when everything is known). */
export function resolveStep(s: DialogState, c: FlowCatalog): Resolution {
  if (s.submitted) return { type: "step", step: "done" };
  if (s.cancelled) return { type: "step", step: "cancelled" };
  if (s.answers.under18 === true) return { type: "step", step: "teen_help" };
  for (const e of s.urgent ? URGENT_ORDER : NORMAL_ORDER) {
    if (isGate(e)) {
      if (gatePasses(e, s)) return { type: "step", step: "info" };
      continue;
    }
    const slot = slotOf(e);
    if (slot?.applies(s, c) && !slot.answered(s, c)) return { type: "step", step: slot.step };
  }
  return { type: "submit" };
}

/** Position of the current step in the order (gates count for the terminal "info" step). */
function positionOf(s: DialogState, order: readonly Entry[]): number {
  if (s.step === "info") {
    return order.findIndex((e) => isGate(e) && gatePasses(e, s));
  }
  return order.findIndex((e) => !isGate(e) && e.id === s.step);
}

export type BackResult = { type: "moved"; state: DialogState } | { type: "nowhere" };

/**
 * "Back": clears the last answered step before the current one so it is asked again. On the
 * first step of the emergency path it leaves that path (the person may have been caught by a
 * false-positive red flag).
 */
export function goBack(s: DialogState, c: FlowCatalog): BackResult {
  if (s.step === "done" || s.step === "cancelled") return { type: "nowhere" };
  if (s.step === "category_confirm") return { type: "moved", state: { ...s, answers: { ...s.answers, suggested: [] } } };
  if (s.step === "teen_help") return { type: "moved", state: { ...s, answers: { ...s.answers, under18: undefined } } };
  const order = s.urgent ? URGENT_ORDER : NORMAL_ORDER;
  const pos = positionOf(s, order);
  const start = pos < 0 ? order.length : pos;
  for (let i = start - 1; i >= 0; i--) {
    const slot = slotOf(order[i]!);
    if (!slot) continue;
    if (!slot.applies(s, c) || !slot.answered(s, c)) continue;
    if (slot.backable && !slot.backable(s)) continue;
    return { type: "moved", state: { ...s, answers: slot.clear(s.answers) } };
  }
  if (s.urgent) {
    // Leaving the emergency path: back to the ordinary questions.
    const answers = s.answers.dangerNow === true ? { ...s.answers, dangerNow: undefined } : s.answers;
    return { type: "moved", state: { ...s, urgent: false, sosUrgent: false, answers: { ...answers, safeNow: undefined } } };
  }
  return { type: "nowhere" };
}

/** Clears a slot by step id (edit from the summary). */
export function clearStep(s: DialogState, step: StepId): DialogState {
  const slot = STEP_MODULES.get(step)?.slot;
  return slot ? { ...s, answers: slot.clear(s.answers) } : s;
}
