// Coverage of a region for admins: where a request of each category would go, region-wide and
// from each municipality, at a given urgency and moment. Pure; built on the engine itself, so the
// matrix can never disagree with real routing. The gap grid: the hours of the week in which an
// urgent request would find no open queue even through the 24/7 chain.
import { CATEGORIES, type Category, type Flag, type Urgency } from "../domain/taxonomy.ts";
import { FEDERAL_TIMEZONE, routeRequest } from "./engine.ts";
import type { OverflowStep, RoutingCenter, RoutingReason, RoutingSnapshot } from "./types.ts";
import { instantInLocalWeek, isOpenAt } from "./working-hours.ts";

export interface CoverageCell {
  category: Category;
  queueKey: string;
  queueName: string;
  centerName: string;
  reason: RoutingReason;
  /** Key of the rule that placed it (null for the default and the fallback). */
  ruleKey: string | null;
  isFederalFallback: boolean;
  /** Out of hours the request would go along the 24/7 chain instead. */
  overflow: boolean;
  /** Which step of the chain took it (null: none). */
  overflowStep: OverflowStep | null;
  /** P0/P1 at this moment would find no open queue even through the chain. */
  noOpenQueue: boolean;
}

export interface CoverageRow {
  /** null for the "whole region / municipality not stated" row. */
  municipalityId: string | null;
  municipalityKey: string | null;
  label: string;
  /** One cell per column, in the order of `columns`. */
  cells: CoverageCell[];
}

export interface CoverageMatrix {
  regionCode: string;
  urgency: Urgency;
  flags: Flag[];
  columns: readonly Category[];
  rows: CoverageRow[];
}

export function coverageMatrix(
  snapshot: RoutingSnapshot,
  regionCode: string,
  urgency: Urgency,
  now: Date,
  flags: Flag[] = [],
): CoverageMatrix {
  const municipalities = snapshot.municipalities
    .filter((m) => m.regionCode === regionCode)
    .sort((a, b) => a.name.localeCompare(b.name, "ru"));
  const rowsFor = [
    { municipalityId: null, municipalityKey: null, label: "Весь регион (муниципалитет не указан)" },
    ...municipalities.map((m) => ({ municipalityId: m.id, municipalityKey: m.key, label: m.name })),
  ];
  return {
    regionCode,
    urgency,
    flags,
    columns: CATEGORIES,
    rows: rowsFor.map((row) => ({
      ...row,
      cells: CATEGORIES.map((category) => {
        const d = routeRequest(snapshot, {
          regionCode,
          municipalityId: row.municipalityId,
          categories: [category],
          urgency,
          flags,
          now,
        });
        return {
          category,
          queueKey: d.queue.key,
          queueName: d.queue.name,
          centerName: d.center.name,
          reason: d.reason,
          ruleKey: d.rule?.key ?? null,
          isFederalFallback: d.reason === "federal_fallback",
          overflow: d.overflow,
          overflowStep: d.overflowStep,
          noOpenQueue: d.noOpenQueue,
        };
      }),
    })),
  };
}

/** The urgencies that must never wait for a closed center (design.md §5). */
export const URGENT: readonly Urgency[] = ["P0", "P1"];

export interface CoverageGapCell {
  /** 0 = Monday … 6 = Sunday, local time of the region. */
  weekday: number;
  hour: number;
  /** Urgencies (P0, P1) that would find no open queue at some moment of this hour. */
  urgencies: Urgency[];
  /** Where such a request would wait (the closed center's queue), for the tooltip. */
  queueNames: string[];
}

export interface CoverageGaps {
  regionCode: string;
  timezone: string;
  /** 7 rows (Monday first) × 24 hours. */
  week: CoverageGapCell[][];
  /** How many of the 168 hours have a gap for P0 or P1. */
  gapHours: number;
}

/** Probes per hour: a center opening at :30 must not hide a closed half hour. */
const PROBE_MINUTES = [0, 15, 30, 45];

/**
 * The hours of the week (region's local time) in which a P0 or P1 request, of any category, from
 * the whole region or any municipality, would find no open queue even through the 24/7 chain.
 * Rules do not depend on time, so each distinct input is routed once per probe; the week is the
 * local week of `reference`.
 */
export function coverageGaps(snapshot: RoutingSnapshot, regionCode: string, reference: Date): CoverageGaps {
  const timezone = snapshot.regions.find((r) => r.code === regionCode)?.timezone ?? FEDERAL_TIMEZONE;
  const municipalities = [null, ...snapshot.municipalities.filter((m) => m.regionCode === regionCode).map((m) => m.id)];
  // One representative input per (urgency, chosen queue): the outcome at a time depends on nothing else.
  const inputs = new Map<string, { urgency: Urgency; municipalityId: string | null; category: Category; center: RoutingCenter }>();
  for (const urgency of URGENT) {
    for (const municipalityId of municipalities) {
      for (const category of CATEGORIES) {
        const d = routeRequest(snapshot, { regionCode, municipalityId, categories: [category], urgency, flags: [], now: reference });
        const key = `${urgency}:${d.chosen.queue.id}`;
        if (!inputs.has(key)) inputs.set(key, { urgency, municipalityId, category, center: d.chosen.center });
      }
    }
  }
  // While the chosen center is open there is no gap; while it is closed the engine decides, and its
  // answer is the same at every closed moment (the chain holds only 24/7 queues), so it is asked once.
  const closedOutcome = new Map<string, { gap: boolean; queueName: string }>();
  const gapWhenClosed = (key: string, input: { urgency: Urgency; municipalityId: string | null; category: Category }, now: Date) => {
    let out = closedOutcome.get(key);
    if (!out) {
      const d = routeRequest(snapshot, { regionCode, municipalityId: input.municipalityId, categories: [input.category], urgency: input.urgency, flags: [], now });
      out = { gap: d.noOpenQueue, queueName: d.queue.name };
      closedOutcome.set(key, out);
    }
    return out;
  };
  const probes = Array.from({ length: 7 * 24 }, (_, slot) =>
    PROBE_MINUTES.map((minute) => instantInLocalWeek(timezone, reference, Math.floor(slot / 24), (slot % 24) * 60 + minute)),
  );
  let gapHours = 0;
  const week = Array.from({ length: 7 }, (_, weekday) =>
    Array.from({ length: 24 }, (_, hour): CoverageGapCell => {
      const urgencies = new Set<Urgency>();
      const queueNames = new Set<string>();
      for (const [key, input] of inputs) {
        const tz = input.center.regionCode === null ? FEDERAL_TIMEZONE : timezone;
        for (const now of probes[weekday * 24 + hour]!) {
          if (isOpenAt(input.center.hours, input.center.is24x7, tz, now)) continue;
          const outcome = gapWhenClosed(key, input, now);
          if (outcome.gap) {
            urgencies.add(input.urgency);
            queueNames.add(outcome.queueName);
          }
          break;
        }
      }
      if (urgencies.size > 0) gapHours++;
      return { weekday, hour, urgencies: URGENT.filter((u) => urgencies.has(u)), queueNames: [...queueNames].sort() };
    }),
  );
  return { regionCode, timezone, week, gapHours };
}
