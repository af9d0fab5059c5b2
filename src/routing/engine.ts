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
//     overflows to an active queue of an active 24/7 center of the same region, if there is one.
import type { Category, Flag, Urgency } from "../domain/taxonomy.ts";
import type {
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

export function routeRequest(snapshot: RoutingSnapshot, input: RoutingInput): RoutingDecision {
  const index = new Index(snapshot);
  const region = snapshot.regions.find((r) => r.code === input.regionCode) ?? null;
  const timezone = region?.timezone ?? FEDERAL_TIMEZONE;
  const regionLabel = region ? `«${region.name}»` : `с кодом "${input.regionCode}" (неизвестен)`;

  let placement: Placement;
  let rule: RoutingRuleData | null = null;
  let reason: RoutingReason;
  let why: string;

  const best = snapshot.rules
    .filter((r) => r.active && ruleMatches(r, input) && index.live(r.queueId))
    .sort(compareRules)[0];
  const regionDefault = best
    ? undefined
    : index.liveWhere((p) => p.queue.isDefault && p.center.regionCode === input.regionCode)[0];
  if (best) {
    rule = best;
    placement = index.live(best.queueId)!;
    reason = "rule";
    why = `Правило "${best.key}" (${describeConditions(snapshot, best)}) → очередь`;
  } else if (regionDefault) {
    placement = regionDefault;
    reason = "region_default";
    why = `Нет подходящего правила в регионе ${regionLabel} → очередь региона по умолчанию`;
  } else {
    const fallback = index.liveWhere((p) => p.queue.isFallback)[0];
    if (!fallback) {
      throw new Error(
        `routing: no active federal fallback queue (isFallback) — load src/routing/demo/federal.json or import a federal routing file`,
      );
    }
    placement = fallback;
    reason = "federal_fallback";
    why = `В регионе ${regionLabel} нет ни подходящего правила, ни очереди по умолчанию → федеральная резервная очередь`;
  }
  why += ` «${placement.queue.name}» центра «${placement.center.name}»`;

  const tzOf = (c: RoutingCenter) => (c.regionCode === null ? FEDERAL_TIMEZONE : timezone);
  const openAt = (c: RoutingCenter) => isOpenAt(c.hours, c.is24x7, tzOf(c), input.now);
  let overflow = false;
  let closedNote = "";
  if (overflowsOutOfHours(input.urgency) && !openAt(placement.center)) {
    closedNote = `. Центр «${placement.center.name}» сейчас закрыт (${formatLocalRu(tzOf(placement.center), input.now)} по времени региона), срочность ${input.urgency}`;
    const roundTheClock = index.liveWhere(
      (p) => p.center.is24x7 && p.center.regionCode === input.regionCode,
    )[0];
    if (roundTheClock) {
      placement = roundTheClock;
      overflow = true;
      closedNote += ` → переадресовано в круглосуточную очередь «${roundTheClock.queue.name}» центра «${roundTheClock.center.name}»`;
    } else {
      closedNote += "; круглосуточной очереди в регионе нет";
    }
  }

  const { center } = placement;
  const nextOpeningAt = nextOpening(center.hours, center.is24x7, tzOf(center), input.now);
  if (closedNote && !overflow && nextOpeningAt) {
    closedNote += `; центр откроется ${formatLocalRu(tzOf(center), nextOpeningAt)} по времени региона`;
  }
  return {
    queue: placement.queue,
    center,
    rule,
    reason,
    overflow,
    openNow: openAt(center),
    nextOpeningAt,
    explanation: `${why}${closedNote}.`,
  };
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
