// Consistency checks of routing data, run on every import (before commit) and available to the
// admin view. Pure. Paths name entities by key (`rules[syzran-all].queue`); the routing-file
// parser and the importer translate them into file positions (`rules[3].queue`) via `entity`.
import { compareRules, ruleSpecificity } from "./engine.ts";
import type { RoutingQueue, RoutingRuleData, RoutingSnapshot } from "./types.ts";

export type RoutingIssueCode =
  | "invalid_file"
  | "ambiguous_rules"
  | "missing_queue"
  | "missing_center"
  | "unknown_municipality"
  | "unknown_region"
  | "duplicate_key"
  | "inactive_queue"
  | "foreign_queue"
  | "multiple_default_queues"
  | "missing_fallback"
  | "multiple_fallback_queues";

export type RoutingEntityKind = "municipality" | "center" | "queue" | "rule";

export interface RoutingIssue {
  path: string;
  code: RoutingIssueCode;
  message: string;
  /** The entity the issue is about, so callers can point at it in their own terms. */
  entity?: { kind: RoutingEntityKind; key: string; field?: string };
  /**
   * What exactly is wrong, as a stable id plus values, so the web view can say it in the reader's
   * language (`message` stays English for the CLI). Absent: `code` and `entity` say enough.
   */
  text?: { id: string; args?: Record<string, string | number> };
}

/** Scope value of `validateRoutingSnapshot` for the federal centers and the fallback queue. */
export const FEDERAL_SCOPE = "federal";

/** Name of each entity's list in a routing file and in issue paths. */
export const ENTITY_COLLECTION: Record<RoutingEntityKind, string> = {
  municipality: "municipalities",
  center: "centers",
  queue: "queues",
  rule: "rules",
};

function issueAt(
  kind: RoutingEntityKind,
  key: string,
  field: string | undefined,
  code: RoutingIssueCode,
  message: string,
): RoutingIssue {
  return {
    path: `${ENTITY_COLLECTION[kind]}[${key}]${field ? `.${field}` : ""}`,
    code,
    message,
    entity: { kind, key, field },
  };
}

/**
 * Problems of a snapshot. `regionCode` narrows the check to one region ("federal" = the federal
 * centers and the fallback queue); without it everything is checked, the fallback included.
 */
export function validateRoutingSnapshot(snapshot: RoutingSnapshot, regionCode?: string): RoutingIssue[] {
  const issues: RoutingIssue[] = [];
  const regions = new Set(snapshot.regions.map((r) => r.code));
  const centers = new Map(snapshot.centers.map((c) => [c.id, c]));
  const queues = new Map(snapshot.queues.map((q) => [q.id, q]));
  const municipalities = new Map(snapshot.municipalities.map((m) => [m.id, m]));
  const inScope = (code: string | null) =>
    regionCode === undefined || (regionCode === FEDERAL_SCOPE ? code === null : code === regionCode);
  const centerOf = (q: RoutingQueue) => centers.get(q.centerId);
  const live = (q: RoutingQueue | undefined): boolean => !!q?.active && !!centerOf(q)?.active;

  // Duplicate keys: centers and queues are unique everywhere, municipalities and rules per region.
  const duplicates = <T extends { key: string }>(
    kind: RoutingEntityKind,
    items: T[],
    group: (x: T) => string | null,
    scope: (x: T) => string | null,
  ) => {
    const seen = new Set<string>();
    for (const x of items) {
      const id = `${group(x)}\u0000${x.key}`;
      if (seen.has(id) && inScope(scope(x))) {
        issues.push(
          issueAt(kind, x.key, "key", "duplicate_key", `${kind} key "${x.key}" is used more than once`),
        );
      }
      seen.add(id);
    }
  };
  duplicates(
    "center",
    snapshot.centers,
    () => null,
    (c) => c.regionCode,
  );
  duplicates(
    "queue",
    snapshot.queues,
    () => null,
    (q) => centerOf(q)?.regionCode ?? null,
  );
  duplicates(
    "municipality",
    snapshot.municipalities,
    (m) => m.regionCode,
    (m) => m.regionCode,
  );
  duplicates(
    "rule",
    snapshot.rules,
    (r) => r.regionCode,
    (r) => r.regionCode,
  );

  for (const c of snapshot.centers) {
    if (!inScope(c.regionCode)) continue;
    if (c.regionCode !== null && !regions.has(c.regionCode)) {
      issues.push(issueAt("center", c.key, "region", "unknown_region", `unknown region "${c.regionCode}"`));
    }
    if (!c.active) continue;
    const m = c.municipalityId === null ? null : municipalities.get(c.municipalityId);
    if (c.municipalityId !== null && (!m || m.regionCode !== c.regionCode)) {
      issues.push(
        issueAt(
          "center",
          c.key,
          "municipality",
          "unknown_municipality",
          `unknown municipality "${m?.key ?? c.municipalityId}"`,
        ),
      );
    }
  }
  for (const q of snapshot.queues) {
    const c = centerOf(q);
    if (!c) {
      issues.push(
        issueAt("queue", q.key, "center", "missing_center", `queue "${q.key}" belongs to no known center`),
      );
    }
  }

  for (const r of snapshot.rules) {
    if (!inScope(r.regionCode)) continue;
    if (!regions.has(r.regionCode)) {
      issues.push(issueAt("rule", r.key, "region", "unknown_region", `unknown region "${r.regionCode}"`));
    }
    if (!r.active) continue;
    const m = r.municipalityId === null ? null : municipalities.get(r.municipalityId);
    if (r.municipalityId !== null && (!m || m.regionCode !== r.regionCode)) {
      issues.push(
        issueAt(
          "rule",
          r.key,
          "municipality",
          "unknown_municipality",
          `unknown municipality "${m?.key ?? r.municipalityId}"`,
        ),
      );
    }
    const q = queues.get(r.queueId);
    const c = q && centerOf(q);
    if (!q || !c) {
      issues.push(issueAt("rule", r.key, "queue", "missing_queue", `unknown queue "${q?.key ?? r.queueId}"`));
    } else if (c.regionCode !== null && c.regionCode !== r.regionCode) {
      issues.push(
        issueAt(
          "rule",
          r.key,
          "queue",
          "foreign_queue",
          `queue "${q.key}" belongs to a center of region ${c.regionCode}`,
        ),
      );
    } else if (!live(q)) {
      issues.push(
        issueAt(
          "rule",
          r.key,
          "queue",
          "inactive_queue",
          `active rule "${r.key}" points at ${q.active ? `queue "${q.key}" of inactive center "${c.key}"` : `inactive queue "${q.key}"`}`,
        ),
      );
    }
  }

  // One default queue per region at most (counting live queues only).
  const defaults = new Map<string, RoutingQueue[]>();
  for (const q of snapshot.queues) {
    const c = centerOf(q);
    if (!q.isDefault || !live(q) || !c || c.regionCode === null || !inScope(c.regionCode)) continue;
    defaults.set(c.regionCode, [...(defaults.get(c.regionCode) ?? []), q]);
  }
  for (const [code, list] of defaults) {
    if (list.length < 2) continue;
    const [, second] = list;
    issues.push(
      issueAt(
        "queue",
        second!.key,
        "default",
        "multiple_default_queues",
        `region ${code} has more than one default queue: ${list.map((q) => `"${q.key}"`).join(", ")}`,
      ),
    );
  }

  if (regionCode === undefined || regionCode === FEDERAL_SCOPE) {
    const fallbacks = snapshot.queues.filter((q) => q.isFallback && live(q));
    if (fallbacks.length === 0) {
      issues.push({
        path: "queues",
        code: "missing_fallback",
        message: "no active federal fallback queue (a queue with fallback: true of an active center)",
      });
    } else if (fallbacks.length > 1) {
      issues.push(
        issueAt(
          "queue",
          fallbacks[1]!.key,
          "fallback",
          "multiple_fallback_queues",
          `more than one federal fallback queue: ${fallbacks.map((q) => `"${q.key}"`).join(", ")}`,
        ),
      );
    }
  }

  issues.push(...findAmbiguities(snapshot, inScope, (id) => live(queues.get(id))));
  return issues;
}

function findAmbiguities(
  snapshot: RoutingSnapshot,
  inScope: (code: string | null) => boolean,
  liveQueue: (queueId: string) => boolean,
): RoutingIssue[] {
  const issues: RoutingIssue[] = [];
  const rules = snapshot.rules
    .filter((r) => r.active && inScope(r.regionCode) && liveQueue(r.queueId))
    .sort(compareRules);
  for (let i = 0; i < rules.length; i++) {
    for (let j = i + 1; j < rules.length; j++) {
      const a = rules[i]!;
      const b = rules[j]!;
      if (
        a.regionCode !== b.regionCode ||
        ruleSpecificity(a) !== ruleSpecificity(b) ||
        a.priority !== b.priority
      )
        continue;
      const shared = overlap(a, b);
      if (shared === null) continue;
      issues.push(
        issueAt(
          "rule",
          b.key,
          undefined,
          "ambiguous_rules",
          `rules "${a.key}" and "${b.key}" are equally specific, have the same priority ${a.priority} and can both match one request (${shared}); change a priority or narrow a condition`,
        ),
      );
    }
  }
  return issues;
}

/** A description of a request both rules match, or null when no request can match both. */
function overlap(a: RoutingRuleData, b: RoutingRuleData): string | null {
  if (a.municipalityId !== b.municipalityId || a.urgency !== b.urgency) return null;
  let categories = "any categories";
  if (a.categories.length > 0 || b.categories.length > 0) {
    const common = a.categories.filter((c) => b.categories.includes(c));
    if (common.length === 0) return null;
    categories = `category ${common[0]}`;
  }
  const flags = [...new Set([...a.flags, ...b.flags])];
  return `e.g. ${categories}${flags.length > 0 ? `, flags ${flags.join(", ")}` : ""}${a.urgency ? `, urgency ${a.urgency}` : ""}`;
}
