// Coverage of a region for admins: where a request of each category would go, region-wide and
// from each municipality, at a given urgency and moment. Pure; built on the engine itself, so the
// matrix can never disagree with real routing.
import { CATEGORIES, type Category, type Flag, type Urgency } from "../domain/taxonomy.ts";
import { routeRequest } from "./engine.ts";
import type { RoutingReason, RoutingSnapshot } from "./types.ts";

export interface CoverageCell {
  category: Category;
  queueKey: string;
  queueName: string;
  centerName: string;
  reason: RoutingReason;
  /** Key of the rule that placed it (null for the default and the fallback). */
  ruleKey: string | null;
  isFederalFallback: boolean;
  /** Out of hours the request would go to the region's 24/7 queue instead. */
  overflow: boolean;
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
        };
      }),
    })),
  };
}
