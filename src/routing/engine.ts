// The routing engine (design.md §5): which queue of which center gets a request, and why.
// Pure: data in, decision out. Imports only the taxonomy and the routing contract.
//
// Resolution:
//  1. Candidate rules: active, of the request's region, whose queue and the queue's center are
//     active, and whose conditions all hold — municipality null or equal, categories empty or
//     intersecting the request's, urgency null or equal, every required flag set.
//  2. The most specific candidate wins; SPECIFICITY is a bit score, so a higher condition
//     outweighs any combination of the lower ones:
//        municipality set 8 · categories set 4 · flags required 2 · urgency set 1
//     Among equally specific rules the higher `priority` wins; the rule key breaks what is left
//     (validate-rules.ts rejects such overlaps as ambiguous, so this only keeps it deterministic).
//  3. No rule: the region's default queue (an active queue with isDefault of an active center of
//     the region); then the federal fallback queue (isFallback). Never unroutable: without even a
//     fallback it throws, which the seed and the demo data rule out.
//  4. Out of hours: a P0/P1 request whose center is closed at `now` (in the region's timezone)
//     overflows along the 24/7 chain: an active queue of an active 24/7 center of the same region,
//     else the federal 24/7 reserve (a 24/7 federal center, its fallback queue first). When even
//     that is missing it stays and the decision says so (`noOpenQueue`): a coverage gap.
import type { Category, Flag, Urgency } from "../domain/taxonomy.ts";
import type {
  OverflowStep,
  RoutingCenter,
  RoutingDecision,
  RoutingInput,
  RoutingQueue,
  RoutingReason,
  RoutingRuleData,
  RoutingSnapshot,
} from "./types.ts";
import { formatLocalRu, isOpenAt, nextOpening } from "./working-hours.ts";

/** Timezone used when a region is unknown and for federal centers (no region of their own). */
export const FEDERAL_TIMEZONE = "Europe/Moscow";

export const SPECIFICITY_WEIGHTS = { municipality: 8, categories: 4, flags: 2, urgency: 1 } as const;

/** How specific a rule is (see the header): 0 (region-wide, anything) … 15. */
export function ruleSpecificity(
  rule: Pick<RoutingRuleData, "municipalityId" | "categories" | "flags" | "urgency">,
): number {
  return (
    (rule.municipalityId !== null ? SPECIFICITY_WEIGHTS.municipality : 0) +
    (rule.categories.length > 0 ? SPECIFICITY_WEIGHTS.categories : 0) +
    (rule.flags.length > 0 ? SPECIFICITY_WEIGHTS.flags : 0) +
    (rule.urgency !== null ? SPECIFICITY_WEIGHTS.urgency : 0)
  );
}

/** Whether the rule's conditions hold for the request (ignores `active` and the queue's state). */
export function ruleMatches(
  rule: RoutingRuleData,
  input: Pick<RoutingInput, "regionCode" | "municipalityId" | "categories" | "urgency" | "flags">,
): boolean {
  return (
    rule.regionCode === input.regionCode &&
    (rule.municipalityId === null || rule.municipalityId === input.municipalityId) &&
    (rule.categories.length === 0 || rule.categories.some((c) => input.categories.includes(c))) &&
    (rule.urgency === null || rule.urgency === input.urgency) &&
    rule.flags.every((f) => input.flags.includes(f))
  );
}

/** Orders rules best first: specificity, then priority, then key. */
export function compareRules(a: RoutingRuleData, b: RoutingRuleData): number {
  return ruleSpecificity(b) - ruleSpecificity(a) || b.priority - a.priority || a.key.localeCompare(b.key);
}

/** Short Russian names of the categories and flags, for explanations read by operators. */
export const CATEGORY_LABEL_RU: Record<Category, string> = {
  violence: "насилие",
  suicide_crisis: "суицидальный кризис",
  child_danger: "ребёнок в опасности",
  removal_risk: "риск изъятия",
  pregnancy_infant: "беременность, малыш",
  addiction: "зависимость",
  housing: "жильё",
  material_need: "материальная нужда",
  disability_care: "инвалидность ребёнка",
  family_conflict: "конфликты в семье",
  parental_burnout: "родительское выгорание",
  teen_law: "подросток",
  legal_docs: "документы, правовая помощь",
  other_info: "другое",
};
export const FLAG_LABEL_RU: Record<Flag, string> = {
  child_under_4: "ребёнок до 4 лет",
  child_disability: "ребёнок с инвалидностью",
  pregnancy: "беременность",
  large_family: "многодетная семья",
  single_parent: "один родитель",
  writer_under_18: "пишет несовершеннолетний",
  danger_now: "опасность сейчас",
};

interface Placement {
  queue: RoutingQueue;
  center: RoutingCenter;
}

class Index {
  readonly queues = new Map<string, RoutingQueue>();
  readonly centers = new Map<string, RoutingCenter>();
  constructor(readonly snapshot: RoutingSnapshot) {
    for (const q of snapshot.queues) this.queues.set(q.id, q);
    for (const c of snapshot.centers) this.centers.set(c.id, c);
  }
  /** The queue and its center when both are active. */
  live(queueId: string): Placement | null {
    const queue = this.queues.get(queueId);
    const center = queue && this.centers.get(queue.centerId);
    return queue?.active && center?.active ? { queue, center } : null;
  }
  /** Live placements satisfying `pred`, in a stable order (default queues first, then key). */
  liveWhere(pred: (p: Placement) => boolean): Placement[] {
    return this.snapshot.queues
      .map((q) => this.live(q.id))
      .filter((p): p is Placement => p !== null && pred(p))
      .sort(
        (a, b) =>
          Number(b.queue.isDefault) - Number(a.queue.isDefault) || a.queue.key.localeCompare(b.queue.key),
      );
  }
}

/** What the rules choose (steps 1–3 of the header), before any overflow: the clock plays no part. */
type Choice = Placement & ({ reason: "rule"; rule: RoutingRuleData } | { reason: Exclude<RoutingReason, "rule">; rule: null });

type ChoiceInput = Omit<RoutingInput, "now">;

function choose(index: Index, input: ChoiceInput): Choice {
  const snapshot = index.snapshot;
  const best = snapshot.rules
    .filter((r) => r.active && ruleMatches(r, input) && index.live(r.queueId))
    .sort(compareRules)[0];
  if (best) return { ...index.live(best.queueId)!, rule: best, reason: "rule" };
  const regionDefault = index.liveWhere((p) => p.queue.isDefault && p.center.regionCode === input.regionCode)[0];
  if (regionDefault) return { ...regionDefault, rule: null, reason: "region_default" };
  const fallback = index.liveWhere((p) => p.queue.isFallback)[0];
  if (!fallback) {
    throw new Error(
      `routing: no active federal fallback queue (isFallback) — load src/routing/demo/federal.json or import a federal routing file`,
    );
  }
  return { ...fallback, rule: null, reason: "federal_fallback" };
}

/**
 * The queue and center the rules choose for these answers, before overflow — what the dialog
 * compares while it decides which questions change the recipient (several times a step), without
 * the working hours and the explanation of a whole decision.
 */
export function chosenPlacement(snapshot: RoutingSnapshot, input: ChoiceInput): { queue: RoutingQueue; center: RoutingCenter } {
  const { queue, center } = choose(new Index(snapshot), input);
  return { queue, center };
}

export function routeRequest(snapshot: RoutingSnapshot, input: RoutingInput): RoutingDecision {
  const index = new Index(snapshot);
  const region = snapshot.regions.find((r) => r.code === input.regionCode) ?? null;
  const timezone = region?.timezone ?? FEDERAL_TIMEZONE;
  const regionLabel = region ? `«${region.name}»` : `с кодом "${input.regionCode}" (неизвестен)`;

  const choice = choose(index, input);
  const { rule, reason } = choice;
  let placement: Placement = { queue: choice.queue, center: choice.center };
  let why =
    choice.reason === "rule"
      ? `Правило "${choice.rule.key}" (${describeConditions(snapshot, choice.rule)}) → очередь`
      : reason === "region_default"
        ? `Нет подходящего правила в регионе ${regionLabel} → очередь региона по умолчанию`
        : `В регионе ${regionLabel} нет ни подходящего правила, ни очереди по умолчанию → федеральная резервная очередь`;
  why += ` «${placement.queue.name}» центра «${placement.center.name}»`;

  const chosen = placement;
  const tzOf = (c: RoutingCenter) => (c.regionCode === null ? FEDERAL_TIMEZONE : timezone);
  const openAt = (c: RoutingCenter) => isOpenAt(c.hours, c.is24x7, tzOf(c), input.now);
  let overflowStep: OverflowStep | null = null;
  let noOpenQueue = false;
  let closedNote = "";
  if (overflowsOutOfHours(input.urgency) && !openAt(placement.center)) {
    closedNote = `. Центр «${placement.center.name}» сейчас закрыт (${formatLocalRu(timezone, input.now)} по времени региона), срочность ${input.urgency}`;
    const next = chainAfter(index, input.regionCode, placement)[0];
    if (next) {
      placement = next;
      overflowStep = next.step;
      closedNote +=
        next.step === "region_24x7"
          ? ` → переадресовано в круглосуточную очередь «${next.queue.name}» центра «${next.center.name}»`
          : `; круглосуточной очереди в регионе нет → переадресовано в федеральный круглосуточный резерв «${next.queue.name}» центра «${next.center.name}»`;
    } else {
      noOpenQueue = true;
      closedNote += "; круглосуточной очереди нет ни в регионе, ни в федеральном резерве — сейчас отвечают только экстренные номера";
    }
  }

  const { center } = placement;
  const nextOpeningAt = nextOpening(center.hours, center.is24x7, tzOf(center), input.now);
  if (noOpenQueue && nextOpeningAt) {
    closedNote += `; центр откроется ${formatLocalRu(timezone, nextOpeningAt)} по времени региона`;
  }
  return {
    regionCode: input.regionCode,
    timezone,
    queue: placement.queue,
    center,
    rule,
    reason,
    overflow: overflowStep !== null,
    overflowStep,
    chosen: { queue: chosen.queue, center: chosen.center },
    noOpenQueue,
    openNow: openAt(center),
    nextOpeningAt,
    explanation: `${why}${closedNote}.`,
  };
}

interface ChainPlacement extends Placement {
  step: OverflowStep;
}

/**
 * The 24/7 queues after `from` along the region's chain: the region's own 24/7 queue (unless
 * `from` is one), then the federal 24/7 reserve (unless `from` is it). Empty at the end.
 */
function chainAfter(index: Index, regionCode: string, from: Placement): ChainPlacement[] {
  const out: ChainPlacement[] = [];
  const fromFederal24x7 = from.center.regionCode === null && from.center.is24x7;
  const fromRegion24x7 = from.center.regionCode === regionCode && from.center.is24x7;
  if (fromFederal24x7) return out;
  if (!fromRegion24x7) {
    const region = index.liveWhere((p) => p.center.is24x7 && p.center.regionCode === regionCode)[0];
    if (region && region.queue.id !== from.queue.id) out.push({ ...region, step: "region_24x7" });
  }
  const federal = index
    .liveWhere((p) => p.center.is24x7 && p.center.regionCode === null)
    .sort((a, b) => Number(b.queue.isFallback) - Number(a.queue.isFallback))[0];
  if (federal && federal.queue.id !== from.queue.id) out.push({ ...federal, step: "federal_24x7" });
  return out;
}

export interface ChainMove {
  queue: RoutingQueue;
  center: RoutingCenter;
  step: OverflowStep;
}

/**
 * Where an untaken P0 in `queueId` moves next along its region's chain (closed or slow center →
 * the region's 24/7 queue → the federal 24/7 reserve); null at the end of the chain.
 */
export function nextInChain(snapshot: RoutingSnapshot, regionCode: string, queueId: string): ChainMove | null {
  const index = new Index(snapshot);
  const queue = index.queues.get(queueId);
  const center = queue && index.centers.get(queue.centerId);
  if (!queue || !center) return null;
  const next = chainAfter(index, regionCode, { queue, center })[0];
  return next ? { queue: next.queue, center: next.center, step: next.step } : null;
}

/** «муниципалитет Сызрань, любые категории, приоритет 10» — the rule's conditions in Russian. */
export function describeConditions(
  snapshot: Pick<RoutingSnapshot, "municipalities">,
  rule: RoutingRuleData,
): string {
  const parts: string[] = [];
  if (rule.municipalityId === null) parts.push("весь регион");
  else {
    const m = snapshot.municipalities.find((x) => x.id === rule.municipalityId);
    parts.push(`муниципалитет ${m?.name ?? rule.municipalityId}`);
  }
  parts.push(
    rule.categories.length === 0
      ? "любые категории"
      : `категории: ${rule.categories.map((c) => CATEGORY_LABEL_RU[c] ?? c).join(", ")}`,
  );
  if (rule.flags.length > 0)
    parts.push(`признаки: ${rule.flags.map((f) => FLAG_LABEL_RU[f] ?? f).join(", ")}`);
  if (rule.urgency !== null) parts.push(`срочность ${rule.urgency}`);
  parts.push(`приоритет ${rule.priority}`);
  return parts.join(", ");
}

/** Whether `urgency` is one that overflows out of hours. */
export function overflowsOutOfHours(urgency: Urgency): boolean {
  return urgency === "P0" || urgency === "P1";
}
