// The triage flow as data (issue 3 §"The triage flow", design.md §3). The flow is a list of slots in
// order; the current step is always "the first step that applies and is not answered yet". That
// makes "back", "edit from the summary" and a restart mid-dialog the same simple operation: clear a
// slot and recompute. Prompts and labels are locale keys (locales/*/dialog.ftl).
import { type Category, CATEGORIES, DEFAULT_URGENCY, type Flag, maxUrgency, type Urgency } from "../domain/taxonomy.ts";
import type { Answers, CheckId, DialogState, FamilyFlag, StepId } from "./state.ts";
import { mergeReason, type UrgencyReason } from "./urgency-reasons.ts";

/** What the flow needs to know about geography to decide which steps apply. */
export interface FlowCatalog {
  hasMunicipalities(regionCode: string): boolean;
  /**
   * The center the request would go to now (before any overflow), or null when unknown. A consent
   * given for another center no longer counts: it is asked again for this one (design.md §4).
   */
  recipientOf?(s: DialogState): string | null;
}

/** Follow-up questions that change urgency, each asked only when its category was chosen. */
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

/** Categories shown per page of the category question (Telegram and MAX render rows of buttons). */
export const CATEGORY_PAGE_SIZE = 7;
export const CATEGORY_PAGES = Math.ceil(CATEGORIES.length / CATEGORY_PAGE_SIZE);

/**
 * Word stems that suggest a category in free text ("ё" already folded to "е", lower case).
 * Suggestions are always confirmed by the person, so generous matching is fine.
 */
export const CATEGORY_KEYWORDS: Record<Category, string[]> = {
  violence: ["бьет", "бил", "избива", "насили", "побои", "ударил", "жесток", "угрожа", "abuse", "violen", "beat", "hits me"],
  suicide_crisis: ["суицид", "покончить", "не хочу жить", "жить не хочу", "повеситься", "умереть", "suicid", "kill myself", "end my life"],
  child_danger: ["один дома", "одна дома", "пропал", "без присмотра", "опасност", "missing", "home alone", "unattended"],
  removal_risk: ["изъят", "заберут", "забрать ребенка", "отберут", "отобрать", "лишить прав", "лишат", "детдом", "детский дом", "removal", "take my child", "take away my", "foster"],
  pregnancy_infant: ["беремен", "отказаться от ребенка", "отказ от ребенка", "роды", "родила", "новорожд", "младен", "малыш", "pregnan", "newborn", "infant"],
  addiction: ["пьет", "пьют", "запой", "алкогол", "наркот", "нарко", "игроман", "ставки", "зависим", "drink", "alcohol", "drug", "gambl", "addict"],
  housing: ["выгнал", "выселя", "жилье", "жилья", "квартир", "негде жить", "негде ночевать", "на улице", "evict", "homeless", "housing", "nowhere to live"],
  material_need: ["денег", "нет еды", "нечего есть", "голод", "работ", "пособи", "долг", "money", "food", "no job", "benefit", "debt"],
  disability_care: ["инвалид", "овз", "реабилит", "аутизм", "дцп", "disab", "rehab", "autism"],
  family_conflict: ["развод", "ссор", "конфликт", "скандал", "воспитан", "не слушается", "divorce", "conflict", "argu", "parenting"],
  parental_burnout: ["нет сил", "устал", "выгоран", "выгорел", "не справляюсь", "burnout", "burned out", "exhausted", "can't cope", "cannot cope"],
  teen_law: ["подрост", "сбежал", "ушел из дома", "ушла из дома", "полици", "на учет", "кража", "teen", "ran away", "police"],
  legal_docs: ["документ", "алимент", "юрист", "суд", "паспорт", "опекунств", "опека", "document", "alimony", "lawyer", "court"],
  other_info: [],
};

export function foldText(text: string): string {
  return text.toLowerCase().replaceAll("ё", "е");
}

/** Categories whose keywords occur in the text, in taxonomy order. */
export function suggestCategories(text: string): Category[] {
  const folded = foldText(text);
  return CATEGORIES.filter((c) => CATEGORY_KEYWORDS[c].some((k) => folded.includes(k)));
}

// ── Slots ────────────────────────────────────────────────────────────────────

interface Slot {
  step: StepId;
  applies(s: DialogState, c: FlowCatalog): boolean;
  answered(s: DialogState, c: FlowCatalog): boolean;
  /** Clears this slot's answer (and what depends on it) so the step is asked again. */
  clear(a: Answers): Answers;
  /** Whether "back" may return here once answered (given consent is not re-asked). */
  backable?(s: DialogState): boolean;
}

type Gate = { gate: "info_only" | "declined" };
type Entry = Slot | Gate;

const always = () => true;
const never = () => false;

const slot = (s: Slot): Slot => s;

const SLOTS: Record<string, Slot> = {
  category_confirm: slot({
    step: "category_confirm",
    applies: (s) => s.answers.suggested.length > 0 && !s.answers.categoriesDone,
    answered: never,
    clear: (a) => ({ ...a, suggested: [] }),
  }),
  categories: slot({
    step: "categories",
    applies: always,
    answered: (s) => s.answers.categoriesDone,
    clear: (a) => ({ ...a, categoriesDone: false, suggested: [], categoryPage: 0 }),
  }),
  danger_now: slot({
    step: "danger_now",
    applies: always,
    answered: (s) => s.answers.dangerNow !== undefined,
    clear: (a) => ({ ...a, dangerNow: undefined }),
  }),
  age: slot({
    step: "age",
    applies: always,
    answered: (s) => s.answers.under18 !== undefined,
    clear: (a) => ({ ...a, under18: undefined }),
  }),
  family_flags: slot({
    step: "family_flags",
    applies: (s) => !isInformationOnly(s),
    answered: (s) => s.answers.familyFlagsDone,
    clear: (a) => ({ ...a, familyFlagsDone: false }),
  }),
  p0_safe: slot({
    step: "p0_safe",
    applies: always,
    answered: (s) => s.answers.safeNow !== undefined,
    clear: (a) => ({ ...a, safeNow: undefined }),
  }),
  region_choose: slot({
    step: "region_choose",
    applies: (s) => s.answers.regionChoices.length > 0 && s.answers.regionCode === undefined,
    answered: never,
    clear: (a) => ({ ...a, regionChoices: [] }),
  }),
  region: slot({
    step: "region",
    applies: always,
    answered: (s) => s.answers.regionCode !== undefined,
    clear: (a) => ({ ...a, regionCode: undefined, regionChoices: [], municipalityId: undefined, municipalityChoices: [] }),
  }),
  municipality: slot({
    step: "municipality",
    applies: (s, c) => s.answers.regionCode !== undefined && c.hasMunicipalities(s.answers.regionCode),
    answered: (s) => s.answers.municipalityId !== undefined,
    clear: (a) => ({ ...a, municipalityId: undefined, municipalityChoices: [] }),
  }),
  description: slot({
    step: "description",
    applies: always,
    answered: (s) => s.answers.description !== undefined,
    clear: (a) => ({ ...a, description: undefined }),
  }),
  consent: slot({
    step: "consent",
    applies: always,
    answered: (s, c) => s.answers.consent !== undefined && !consentRecipientChanged(s, c),
    clear: (a) => ({ ...a, consent: undefined }),
    // A given consent is recorded; "back" does not re-ask it (/revoke withdraws it).
    backable: (s) => s.answers.consent === "declined",
  }),
  name: slot({
    step: "name",
    applies: always,
    answered: (s) => s.answers.name !== undefined,
    clear: (a) => ({ ...a, name: undefined }),
  }),
  phone_confirm: slot({
    step: "phone_confirm",
    applies: (s) => s.answers.pendingPhone !== undefined && s.answers.phone === undefined,
    answered: never,
    clear: (a) => ({ ...a, pendingPhone: undefined }),
  }),
  phone: slot({
    step: "phone",
    applies: always,
    answered: (s) => s.answers.phone !== undefined,
    clear: (a) => ({ ...a, phone: undefined, pendingPhone: undefined }),
  }),
  contact_method: slot({
    step: "contact_method",
    applies: always,
    answered: (s) => s.answers.contactMethod !== undefined,
    clear: (a) => ({ ...a, contactMethod: undefined }),
  }),
  contact_time: slot({
    step: "contact_time",
    applies: always,
    answered: (s) => s.answers.contactTime !== undefined,
    clear: (a) => ({ ...a, contactTime: undefined }),
  }),
  summary: slot({ step: "summary", applies: always, answered: never, clear: (a) => a }),
};

const checkSlots: Slot[] = CHECKS.map((c) =>
  slot({
    step: c.step,
    applies: (s) => s.answers.categories.includes(c.category),
    answered: (s) => s.answers.checks[c.id] !== undefined,
    clear: (a) => {
      const checks = { ...a.checks };
      delete checks[c.id];
      return { ...a, checks };
    },
  }),
);

const S = (id: keyof typeof SLOTS): Slot => SLOTS[id]!;

export const NORMAL_ORDER: readonly Entry[] = [
  S("category_confirm"),
  S("categories"),
  S("danger_now"),
  S("age"),
  ...checkSlots,
  S("family_flags"),
  S("region_choose"),
  S("region"),
  S("municipality"),
  { gate: "info_only" },
  // Nothing personal before consent (design.md §4): the description comes after it.
  S("consent"),
  { gate: "declined" },
  S("description"),
  S("name"),
  S("phone_confirm"),
  S("phone"),
  S("contact_method"),
  S("contact_time"),
  S("summary"),
];

/** The emergency path: numbers first, then the fewest questions that let a center call back. */
export const URGENT_ORDER: readonly Entry[] = [
  S("p0_safe"),
  S("region_choose"),
  S("region"),
  S("municipality"),
  S("consent"),
  { gate: "declined" },
  S("phone_confirm"),
  S("phone"),
  S("contact_method"),
];

export const TERMINAL_STEPS: readonly StepId[] = ["done", "info", "teen_help", "cancelled"];
export function isTerminal(step: StepId): boolean {
  return TERMINAL_STEPS.includes(step);
}

/** A consent was given for one center, and the request would now go to another. */
export function consentRecipientChanged(s: DialogState, c: FlowCatalog): boolean {
  const a = s.answers;
  if (a.consent !== "given" || a.consentTo === undefined || !c.recipientOf) return false;
  const now = c.recipientOf(s);
  return now !== null && now !== a.consentTo;
}

const isGate = (e: Entry): e is Gate => "gate" in e;

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
    if (e.applies(s, c) && !e.answered(s, c)) return { type: "step", step: e.step };
  }
  return { type: "submit" };
}

/** Position of the current step in the order (gates count for the terminal "info" step). */
function positionOf(s: DialogState, order: readonly Entry[]): number {
  if (s.step === "info") {
    return order.findIndex((e) => isGate(e) && gatePasses(e, s));
  }
  return order.findIndex((e) => !isGate(e) && e.step === s.step);
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
    const e = order[i]!;
    if (isGate(e)) continue;
    if (!e.applies(s, c) || !e.answered(s, c)) continue;
    if (e.backable && !e.backable(s)) continue;
    return { type: "moved", state: { ...s, answers: e.clear(s.answers) } };
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
  const e = [...NORMAL_ORDER, ...URGENT_ORDER].find((x) => !isGate(x) && x.step === step) as Slot | undefined;
  return e ? { ...s, answers: e.clear(s.answers) } : s;
}

// ── Urgency and flags ────────────────────────────────────────────────────────

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
