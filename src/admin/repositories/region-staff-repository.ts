// The staff of a region as its admin sees and changes them: accounts whose region it is or who
// work at one of its centers. Activation is audited in the same transaction as the change.
import type { Db } from "../../db/client.ts";
import type { Prisma, StaffUser } from "../../generated/prisma/client.ts";
import { type AdminChange, auditAdminChange } from "./admin-change.ts";

function ofRegion(regionCode: string): Prisma.StaffUserWhereInput {
  return { OR: [{ regionCode }, { memberships: { some: { center: { regionCode } } } }] };
}

/** The region's staff with their centers, admins first, by name. */
export function listRegionStaff(db: Db, regionCode: string) {
  return db.staffUser.findMany({
    where: ofRegion(regionCode),
    include: { memberships: { include: { center: true } } },
    orderBy: [{ role: "asc" }, { name: "asc" }],
  });
}

/** One account of the region, or null (another region's account is not found either). */
export function findRegionStaffUser(db: Db, regionCode: string, id: string): Promise<StaffUser | null> {
  return db.staffUser.findFirst({ where: { id, ...ofRegion(regionCode) } });
}

/** Active centers of the region among `ids` (a form's choice checked against the admin's scope). */
export function activeCentersAmong(db: Db, regionCode: string, ids: string[]) {
  return db.center.findMany({ where: { id: { in: ids }, regionCode, active: true } });
}

export async function setStaffActive(db: Db, change: AdminChange, userId: string, active: boolean): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.staffUser.update({ where: { id: userId }, data: { active } });
    await auditAdminChange(tx, change, active ? "staff.activate" : "staff.deactivate", { type: "staff_user", id: userId }, {});
  });
}
