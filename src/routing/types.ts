// Contract of the pure routing engine (design.md §5). Data in, decision out; no I/O.
import type { Category, Flag, Urgency } from "../domain/taxonomy.ts";

/** Weekly schedule in the region's local time: day → list of [from, to) "HH:MM" intervals. */
export type WeeklyHours = Partial<
  Record<"mon" | "tue" | "wed" | "thu" | "fri" | "sat" | "sun", [string, string][]>
>;

export interface RoutingCenter {
  id: string;
  key: string;
  name: string;
  regionCode: string | null; // null = federal fallback center
  municipalityId: string | null;
  publicPhone: string;
  hours: WeeklyHours;
  is24x7: boolean;
  active: boolean;
}

export interface RoutingQueue {
  id: string;
  key: string;
  name: string;
  centerId: string;
  isDefault: boolean; // default queue of the center's region
  isFallback: boolean; // the federal fallback queue
  active: boolean;
}

export interface RoutingRuleData {
  id: string;
  key: string;
  regionCode: string;
  municipalityId: string | null;
  categories: Category[]; // empty = any
  urgency: Urgency | null; // null = any
  flags: Flag[]; // all must be set; empty = none required
  queueId: string;
  priority: number; // higher wins among equally specific rules
  active: boolean;
}

export interface RoutingRegion {
  code: string;
  name: string;
  timezone: string;
}

export interface RoutingMunicipality {
  id: string;
  key: string;
  regionCode: string;
  name: string;
  /** Other spellings and word forms ("Сызрани", "г. Сызрань") for matching what a family writes. */
  aliases?: string[];
}

/** Everything the engine needs, loaded once from the database (or a routing file). */
export interface RoutingSnapshot {
  regions: RoutingRegion[];
  municipalities: RoutingMunicipality[];
  centers: RoutingCenter[];
  queues: RoutingQueue[];
  rules: RoutingRuleData[];
  /** Rows that could not be read back (bad JSON): skipped by the engine, shown to admins. */
  warnings?: string[];
}

export interface RoutingInput {
  regionCode: string;
  municipalityId: string | null;
  categories: Category[];
  urgency: Urgency;
  flags: Flag[];
  now: Date;
}

/** How the request was placed: a stable code kept with the request. */
export type RoutingReason = "rule" | "region_default" | "federal_fallback";

/**
 * The out-of-hours chain (design.md §5): a P0/P1 whose center is closed goes to the region's 24/7
 * queue, else to the federal 24/7 reserve; an untaken P0 moves along the same chain.
 */
export type OverflowStep = "region_24x7" | "federal_24x7";

export interface RoutingDecision {
  /** The family's region and its IANA timezone (Moscow when the region is unknown). */
  regionCode: string;
  timezone: string;
  queue: RoutingQueue;
  center: RoutingCenter;
  rule: RoutingRuleData | null;
  reason: RoutingReason;
  /** True when P0/P1 outside the chosen center's hours went along the 24/7 chain. */
  overflow: boolean;
  /** Which step of the chain took it (null when it stayed where the rules put it). */
  overflowStep: OverflowStep | null;
  /** Where the rules put it, before any overflow (the same queue when there was none). */
  chosen: { queue: RoutingQueue; center: RoutingCenter };
  /** A P0/P1 out of hours that found no open queue even through the chain: a coverage gap. */
  noOpenQueue: boolean;
  /** Whether the center that got it is open at `now` (24/7 counts as open). */
  openNow: boolean;
  /** When the center that got it opens next (= now when open; null when it has no hours). */
  nextOpeningAt?: Date | null;
  /** Human-readable, Russian, for operators and admins: why this queue. No personal data. */
  explanation: string;
}
