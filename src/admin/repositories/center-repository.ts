// Crisis centers of a region, as their admins list, edit and switch them on and off. Every lookup
// by id is scoped to the region, so an admin never reads or writes another region's center.
import type { Db } from "../../db/client.ts";
import type { Center } from "../../generated/prisma/client.ts";
import { OPEN_STATUSES } from "../../requests/queue-order.ts";
import { type AdminChange, auditAdminChange } from "./admin-change.ts";

/** A center's editable fields, already validated (admin-routes centerForm + hours grid). */
export interface CenterFields {
  key: string;
  name: string;
  kind: string;
  publicPhone: string;
  address: string | null;
  website: string | null;
  municipalityId: string | null;
  is24x7: boolean;
  /** JSON weekly schedule (hours-form.ts). */
  hours: string;
}

/** All centers of the region, active first, with their municipality. */
export function listCentersOfRegion(db: Db, regionCode: string) {
  return db.center.findMany({
    where: { regionCode },
    include: { municipality: true },
    orderBy: [{ active: "desc" }, { name: "asc" }],
  });
}

export function activeCentersOfRegion(db: Db, regionCode: string): Promise<Center[]> {
  return db.center.findMany({ where: { regionCode, active: true }, orderBy: { name: "asc" } });
}

export function findCenterInRegion(db: Db, regionCode: string, id: string): Promise<Center | null> {
  return db.center.findFirst({ where: { id, regionCode } });
}

/** The name of a center by its public key (the consent text names it), any region. */
export async function centerNameByKey(db: Db, key: string): Promise<string | null> {
  const center = await db.center.findUnique({ where: { key }, select: { name: true } });
  return center?.name ?? null;
}

/** Center keys are unique across the country. */
export async function centerKeyTaken(db: Db, key: string, exceptId: string | null): Promise<boolean> {
  return !!(await db.center.findFirst({ where: { key, NOT: { id: exceptId ?? "" } }, select: { id: true } }));
}

/** Requests still open in any of the center's queues. */
export function openRequestsOfCenter(db: Db, centerId: string): Promise<number> {
  return db.request.count({ where: { queue: { centerId }, status: { in: [...OPEN_STATUSES] } } });
}

/** Creates (id null) or updates a center of the change's region, audited. */
export function saveCenter(db: Db, change: AdminChange, id: string | null, fields: CenterFields): Promise<Center> {
  const data = { ...fields, regionCode: change.regionCode };
  return db.$transaction(async (tx) => {
    const c = id ? await tx.center.update({ where: { id }, data }) : await tx.center.create({ data });
    await auditAdminChange(tx, change, id ? "center.update" : "center.create", { type: "center", id: c.key }, { id: c.id });
    return c;
  });
}

/** Switches a center on or off; switching it off also switches off all its queues. Audited. */
export async function setCenterActive(db: Db, change: AdminChange, center: Pick<Center, "id" | "key">, active: boolean): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.center.update({ where: { id: center.id }, data: { active } });
    if (!active) await tx.queue.updateMany({ where: { centerId: center.id }, data: { active: false } });
    await auditAdminChange(tx, change, `center.${active ? "activate" : "deactivate"}`, { type: "center", id: center.key }, { id: center.id });
  });
}
