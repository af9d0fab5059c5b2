// The triage taxonomy of design.md §3: categories, urgency levels, flags. Pure data, no framework.

export const CATEGORIES = [
  "violence",
  "suicide_crisis",
  "child_danger",
  "removal_risk",
  "pregnancy_infant",
  "addiction",
  "housing",
  "material_need",
  "disability_care",
  "family_conflict",
  "parental_burnout",
  "teen_law",
  "legal_docs",
  "other_info",
] as const;
export type Category = (typeof CATEGORIES)[number];

export const URGENCIES = ["P0", "P1", "P2", "P3"] as const;
export type Urgency = (typeof URGENCIES)[number];

/** Cross-cutting flags asked or derived during triage. */
export const FLAGS = [
  "child_under_4",
  "child_disability",
  "pregnancy",
  "large_family",
  "single_parent",
  "writer_under_18",
  "danger_now",
] as const;
export type Flag = (typeof FLAGS)[number];

/** Default urgency of each category when nothing raises it (design.md §3). */
export const DEFAULT_URGENCY: Record<Category, Urgency> = {
  violence: "P1",
  suicide_crisis: "P0",
  child_danger: "P0",
  removal_risk: "P1",
  pregnancy_infant: "P1",
  addiction: "P2",
  housing: "P1",
  material_need: "P2",
  disability_care: "P2",
  family_conflict: "P2",
  parental_burnout: "P2",
  teen_law: "P2",
  legal_docs: "P2",
  other_info: "P3",
};

const RANK: Record<Urgency, number> = { P0: 0, P1: 1, P2: 2, P3: 3 };

/** The more urgent of two levels (P0 is the most urgent). */
export function maxUrgency(a: Urgency, b: Urgency): Urgency {
  return RANK[a] <= RANK[b] ? a : b;
}

export function urgencyRank(u: Urgency): number {
  return RANK[u];
}

/** Hours within which the family is promised contact, by urgency (P2 counts working days separately). */
export const PROMISE_HOURS: Record<Urgency, number | null> = {
  P0: 1,
  P1: 24,
  P2: 72,
  P3: null,
};

export function isCategory(x: string): x is Category {
  return (CATEGORIES as readonly string[]).includes(x);
}
export function isUrgency(x: string): x is Urgency {
  return (URGENCIES as readonly string[]).includes(x);
}
export function isFlag(x: string): x is Flag {
  return (FLAGS as readonly string[]).includes(x);
}
