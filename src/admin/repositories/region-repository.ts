// Regions as the admin pages read them: the list with its size, one region, a region's overview.
import type { Db } from "../../db/client.ts";
import type { Region } from "../../generated/prisma/client.ts";
import { OPEN_STATUSES } from "../../requests/queue-order.ts";

export function findRegion(db: Db, code: string): Promise<Region | null> {
  return db.region.findUnique({ where: { code } });
}

/** Every region with how many centers and rules it has (the superadmin's list). */
export function listRegionsWithCounts(db: Db) {
  return db.region.findMany({
    orderBy: { code: "asc" },
    include: { _count: { select: { centers: true, rules: true } } },
  });
}

export interface RegionCounts {
  centers: number;
  queues: number;
  rules: number;
  /** Open requests of families (test requests left out). */
  open: number;
}

/** Active centers, queues, rules and open requests of one region (its overview page). */
export async function regionOverviewCounts(db: Db, regionCode: string): Promise<RegionCounts> {
  const [centers, queues, rules, open] = await Promise.all([
    db.center.count({ where: { regionCode, active: true } }),
    db.queue.count({ where: { active: true, center: { regionCode } } }),
    db.routingRule.count({ where: { regionCode, active: true } }),
    db.request.count({ where: { regionCode, isTest: false, status: { in: [...OPEN_STATUSES] } } }),
  ]);
  return { centers, queues, rules, open };
}
