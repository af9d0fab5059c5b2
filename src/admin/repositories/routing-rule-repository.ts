// A region's routing rules as its admins list, edit and switch them on and off. The checks that a
// rule fits the rest of the routing (validate-rules.ts) run before these writes, in the route.
import type { Db } from "../../db/client.ts";
import type { RoutingRule } from "../../generated/prisma/client.ts";
import { type AdminChange, auditAdminChange } from "./admin-change.ts";

export interface RuleFields {
  key: string;
  municipalityId: string | null;
  categories: string[];
  urgency: string | null;
  flags: string[];
  queueId: string;
  priority: number;
  note: string | null;
}

/** The region's rules, active first, then by priority, with their queue, center and municipality. */
export function listRulesOfRegion(db: Db, regionCode: string) {
  return db.routingRule.findMany({
    where: { regionCode },
    include: { queue: { include: { center: true } }, municipality: true },
    orderBy: [{ active: "desc" }, { priority: "desc" }, { key: "asc" }],
  });
}

export function findRuleInRegion(db: Db, regionCode: string, id: string): Promise<RoutingRule | null> {
  return db.routingRule.findFirst({ where: { id, regionCode } });
}

/** Rule keys are unique within their region. */
export async function ruleKeyTaken(db: Db, regionCode: string, key: string, exceptId: string | null): Promise<boolean> {
  return !!(await db.routingRule.findFirst({ where: { regionCode, key, NOT: { id: exceptId ?? "" } }, select: { id: true } }));
}

export function saveRoutingRule(db: Db, change: AdminChange, id: string | null, fields: RuleFields): Promise<RoutingRule> {
  const data = {
    ...fields,
    regionCode: change.regionCode,
    categories: JSON.stringify(fields.categories),
    flags: JSON.stringify(fields.flags),
  };
  return db.$transaction(async (tx) => {
    const rule = id ? await tx.routingRule.update({ where: { id }, data }) : await tx.routingRule.create({ data });
    await auditAdminChange(tx, change, id ? "rule.update" : "rule.create", { type: "rule", id: rule.key }, { id: rule.id, queueId: fields.queueId });
    return rule;
  });
}

export async function setRoutingRuleActive(db: Db, change: AdminChange, rule: Pick<RoutingRule, "id" | "key">, active: boolean): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.routingRule.update({ where: { id: rule.id }, data: { active } });
    await auditAdminChange(tx, change, active ? "rule.activate" : "rule.deactivate", { type: "rule", id: rule.key }, { id: rule.id });
  });
}
