// A region's public holidays and days off (src/admin/public-holidays.ts): saved on the region and
// copied into its centers' closed days, audited, all in one transaction.
import type { Db } from "../../db/client.ts";
import { type Holiday, syncCenterHolidays } from "../public-holidays.ts";
import { type AdminChange, auditAdminChange } from "./admin-change.ts";

/**
 * Saves the region's list (`null`: back to the shipped list, which is `list`) and applies it to the
 * centers that keep holidays; returns how many centers changed.
 */
export function saveRegionHolidays(db: Db, change: AdminChange, list: Holiday[], shipped: boolean): Promise<number> {
  return db.$transaction(async (tx) => {
    await tx.region.update({ where: { code: change.regionCode }, data: { holidays: shipped ? null : JSON.stringify(list) } });
    const centers = await syncCenterHolidays(tx, change.regionCode, list);
    await auditAdminChange(tx, change, "holidays.update", { type: "region", id: change.regionCode }, { days: list.length, centers });
    return centers;
  });
}
