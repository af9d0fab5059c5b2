// The queues of a region's centers, as their admins list, edit and switch them on and off, and the
// queues a request can be moved to. Lookups by id are scoped to the region.
import type { Db } from "../../db/client.ts";
import type { Queue } from "../../generated/prisma/client.ts";
import { OPEN_STATUSES } from "../../requests/queue-order.ts";
import { type AdminChange, auditAdminChange } from "./admin-change.ts";

export interface QueueFields {
  key: string;
  name: string;
  /** A center of the change's region (the route checks it). */
  centerId: string;
  isDefault: boolean;
}

/** All queues of the region's centers, active first, with their center and open requests. */
export function listQueuesOfRegion(db: Db, regionCode: string) {
  return db.queue.findMany({
    where: { center: { regionCode } },
    include: { center: true, _count: { select: { requests: { where: { status: { in: [...OPEN_STATUSES] } } } } } },
    orderBy: [{ active: "desc" }, { name: "asc" }],
  });
}

/** Active queues of the region's active centers (routing rules' targets, transfers), optionally but one. */
export function activeQueuesOfRegion(db: Db, regionCode: string, except?: string) {
  return db.queue.findMany({
    where: { active: true, ...(except ? { id: { not: except } } : {}), center: { active: true, regionCode } },
    include: { center: true },
    orderBy: { name: "asc" },
  });
}

export function findQueueInRegion(db: Db, regionCode: string, id: string): Promise<Queue | null> {
  return db.queue.findFirst({ where: { id, center: { regionCode } } });
}

/** Queue keys are unique across the country. */
export async function queueKeyTaken(db: Db, key: string, exceptId: string | null): Promise<boolean> {
  return !!(await db.queue.findFirst({ where: { key, NOT: { id: exceptId ?? "" } }, select: { id: true } }));
}

export function openRequestsOfQueue(db: Db, queueId: string): Promise<number> {
  return db.request.count({ where: { queueId, status: { in: [...OPEN_STATUSES] } } });
}

/** Creates (id null) or updates a queue; a new default queue replaces the region's previous one. Audited. */
export function saveQueue(db: Db, change: AdminChange, id: string | null, fields: QueueFields): Promise<Queue> {
  return db.$transaction(async (tx) => {
    // One default queue per region: setting a new one clears the previous.
    if (fields.isDefault) {
      await tx.queue.updateMany({
        where: { isDefault: true, center: { regionCode: change.regionCode }, NOT: { id: id ?? "" } },
        data: { isDefault: false },
      });
    }
    const q = id ? await tx.queue.update({ where: { id }, data: fields }) : await tx.queue.create({ data: fields });
    await auditAdminChange(tx, change, id ? "queue.update" : "queue.create", { type: "queue", id: q.key }, { id: q.id, isDefault: fields.isDefault });
    return q;
  });
}

export async function setQueueActive(db: Db, change: AdminChange, queue: Pick<Queue, "id" | "key">, active: boolean): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.queue.update({ where: { id: queue.id }, data: { active } });
    await auditAdminChange(tx, change, `queue.${active ? "activate" : "deactivate"}`, { type: "queue", id: queue.key }, { id: queue.id });
  });
}
