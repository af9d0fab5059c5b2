// A routing rule for the routing suites (engine, validate-rules): region 63, region-wide, no
// conditions, priority 0, active; `extra` sets what a case is about.
import type { RoutingRuleData } from "../../src/routing/types.ts";

export function ruleData(key: string, queueId: string, extra: Partial<RoutingRuleData> = {}): RoutingRuleData {
  return {
    id: key,
    key,
    regionCode: "63",
    municipalityId: null,
    categories: [],
    urgency: null,
    flags: [],
    queueId,
    priority: 0,
    active: true,
    ...extra,
  };
}
