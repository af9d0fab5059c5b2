// The shape of one dialog step: where it sits in the flow (its slot), the question it draws, and
// how it reads button presses and typed answers. Steps are listed in steps/index.ts; their order on
// the ordinary and the emergency path is in flow.ts.
import type { Answers, DialogState, FamilyFlag, StepId } from "../state.ts";
import type { Run, View } from "../run.ts";

/** What the flow needs to know about geography to decide which steps apply. */
export interface FlowCatalog {
  hasMunicipalities(regionCode: string): boolean;
  /**
   * The center the request would go to now (before any overflow), or null when unknown. A consent
   * given for another center no longer counts: it is asked again for this one (design.md §4).
   */
  recipientOf?(s: DialogState): string | null;
  /**
   * Whether the municipality changes where the request goes (some municipality of the region is
   * routed elsewhere than "other"): only then is it asked. Absent: asked wherever there are any.
   */
  municipalityMatters?(s: DialogState): boolean;
  /** The family flags that change where the request goes now: only these are asked. Absent: all. */
  flagsThatMatter?(s: DialogState): FamilyFlag[];
}

/**
 * A step's place in the flow. The current step is always "the first step that applies and is not
 * answered yet", so "back", "edit from the summary" and a restart are the same operation: clear a
 * slot and recompute.
 */
export interface Slot {
  step: StepId;
  applies(s: DialogState, c: FlowCatalog): boolean;
  answered(s: DialogState, c: FlowCatalog): boolean;
  /** Clears this slot's answer (and what depends on it) so the step is asked again. */
  clear(a: Answers): Answers;
  /** Whether "back" may return here once answered (given consent is not re-asked). */
  backable?(s: DialogState): boolean;
}

export interface StepModule {
  id: StepId;
  /** Absent for the terminal steps (done, info, teen_help, cancelled): they are outcomes, not questions. */
  slot?: Slot;
  /** The question as drawn. */
  view(r: Run): View;
  /** A press of one of this step's options; false when the id is not one of them (a stale or forged press). */
  onOption?(r: Run, id: string): boolean;
  /**
   * A typed text (cleaned, not empty) read before anything else of the step, the options included:
   * true when it was an answer (the age in digits).
   */
  early?(r: Run, text: string, v: View): boolean;
  /** The step reads free text itself (description, name, phone): the raw text, before the options. */
  readText?(r: Run, raw: string, helpAsked: boolean): void;
  /** A typed text that is none of the options (cleaned, not empty, not emoji only). */
  onText?(r: Run, text: string, raw: string, helpAsked: boolean): void;
}

export const always = () => true;
export const never = () => false;
