// Follow-up questions that change urgency, each asked only when its category was chosen: one entry
// in CHECKS is one step (its question is the locale key, «Да» raises the urgency).
import type { Category, Urgency } from "../../domain/taxonomy.ts";
import { enterUrgent } from "../emergency.ts";
import { sosRow, yesNo } from "../run.ts";
import type { CheckId, StepId } from "../state.ts";
import type { StepModule } from "./step-module.ts";

export interface CheckDef {
  id: CheckId;
  step: StepId;
  category: Category;
  /** Urgency when the answer is "yes". P0 also enters the emergency path. */
  raise: Urgency;
  key: string;
}

export const CHECKS: readonly CheckDef[] = [
  { id: "addiction", step: "check_addiction", category: "addiction", raise: "P1", key: "check-addiction" },
  { id: "housing", step: "check_housing", category: "housing", raise: "P0", key: "check-housing" },
  { id: "food", step: "check_food", category: "material_need", raise: "P1", key: "check-food" },
  { id: "burnout", step: "check_burnout", category: "parental_burnout", raise: "P0", key: "check-burnout" },
  { id: "teen", step: "check_teen", category: "teen_law", raise: "P0", key: "check-teen" },
];

export function checkOfStep(step: StepId): CheckDef | undefined {
  return CHECKS.find((c) => c.step === step);
}

function checkStep(c: CheckDef): StepModule {
  return {
    id: c.step,
    slot: {
      step: c.step,
      applies: (s) => s.answers.categories.includes(c.category),
      answered: (s) => s.answers.checks[c.id] !== undefined,
      clear: (a) => {
        const checks = { ...a.checks };
        delete checks[c.id];
        return { ...a, checks };
      },
    },
    view: (r) => ({ parts: [r.t(c.key)], options: [...yesNo(r), sosRow(r)], freeText: false }),
    onOption(r, id) {
      if (id !== "yes" && id !== "no") return false;
      r.setAnswers({ checks: { ...r.s.answers.checks, [c.id]: id === "yes" } });
      if (id === "yes" && c.raise === "P0") enterUrgent(r, `urgent-${c.key}`);
      else r.advance();
      return true;
    },
  };
}

export const checkSteps: readonly StepModule[] = CHECKS.map(checkStep);
