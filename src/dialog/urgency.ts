// How urgent the dialog is and why (design.md §3): every reason with its source, the urgency they
// add up to, and the flags the request carries. Pure functions of the state.
import { DEFAULT_URGENCY, type Flag, maxUrgency, type Urgency } from "../domain/taxonomy.ts";
import type { DialogState, FamilyFlag } from "./state.ts";
import { CHECKS } from "./steps/checks.ts";
import { mergeReason, type UrgencyReason } from "./urgency-reasons.ts";

/**
 * Every reason that raises this dialog's urgency, with its source (design.md §3: what raised the
 * urgency is recorded as its own reason). Danger now only for the family's own answers (the danger
 * question, the urgent SOS request) and danger-now phrases they wrote — unless they then said
 * there is no danger right now, which keeps the phrase as a P1 reason.
 */
export function urgencyReasons(s: DialogState): UrgencyReason[] {
  const a = s.answers;
  let list: UrgencyReason[] = [];
  const add = (r: UrgencyReason) => {
    list = mergeReason(list, r);
  };
  if (a.dangerNow === true) add({ source: "answer", code: "danger_now", level: "P0", dangerNow: true });
  if (s.sosUrgent && !s.noDanger) add({ source: "answer", code: "sos_urgent", level: "P0", dangerNow: true });
  for (const check of CHECKS) {
    if (a.categories.includes(check.category) && a.checks[check.id] === true) {
      add({ source: "answer", code: `check_${check.id}`, level: check.raise, dangerNow: false });
    }
  }
  for (const c of a.categories) {
    const level = DEFAULT_URGENCY[c];
    if (level === "P0" || level === "P1") add({ source: "category", code: c, level, dangerNow: false });
  }
  const phrases = [...s.phraseFlags];
  // States written before reasons existed kept only the floor a red flag forced.
  if (phrases.length === 0 && (s.urgencyFloor === "P0" || s.urgencyFloor === "P1")) phrases.push({ id: "red_flag", level: s.urgencyFloor });
  for (const f of phrases) {
    const now = f.level === "P0" && !s.noDanger;
    add({ source: "phrase", code: f.id, level: now ? "P0" : "P1", dangerNow: now });
  }
  if (s.noDanger) add({ source: "answer", code: "alarm_no_danger", level: "P1", dangerNow: false });
  // The emergency path is only entered for a reason above; never leave it unexplained.
  if (s.urgent && !list.some((r) => r.level === "P0")) add({ source: "answer", code: "emergency_path", level: "P0", dangerNow: false });
  return list;
}

/** Urgency = max over the chosen categories' defaults and every recorded reason. */
export function computeUrgency(s: DialogState): Urgency {
  const a = s.answers;
  let u: Urgency = a.categories.length === 0 ? "P2" : "P3";
  for (const c of a.categories) u = maxUrgency(u, DEFAULT_URGENCY[c]);
  for (const r of urgencyReasons(s)) u = maxUrgency(u, r.level);
  return u;
}

/** Only "other / information" was chosen and nothing raised it: information, no request. */
export function isInformationOnly(s: DialogState): boolean {
  return s.answers.categoriesDone && computeUrgency(s) === "P3";
}

export function deriveFlags(s: DialogState): Flag[] {
  const flags = new Set<Flag>(s.answers.familyFlags as FamilyFlag[]);
  // Never on a guess: only what the family said or wrote (issue 11).
  if (urgencyReasons(s).some((r) => r.dangerNow)) flags.add("danger_now");
  return [...flags];
}
