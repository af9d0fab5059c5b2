// Russia's public holidays, shipped as data (prisma/holidays-ru.json) and editable per region by
// its admins (stored in Region.holidays; null = the shipped list). Centers that keep the holidays
// get the dates copied into their `hours.holidays`, which the routing engine reads; editing the
// region's list rewrites those copies in the same transaction.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Tx } from "../db/client.ts";
import type { Schedule } from "../routing/working-hours.ts";
import { isIsoDay } from "./hours-form.ts";

export const HOLIDAYS_FILE = fileURLToPath(new URL("../../prisma/holidays-ru.json", import.meta.url));

const holiday = z.object({ date: z.string().refine(isIsoDay), name: z.string().trim().min(1).max(200) });
export type Holiday = z.infer<typeof holiday>;
const holidayList = z.array(holiday).max(400);

let shipped: Holiday[] | undefined;
/** The shipped list (read and checked once; a broken file is a build error, so it throws). */
export function shippedHolidays(): Holiday[] {
  shipped ??= sortHolidays(z.object({ holidays: holidayList }).parse(JSON.parse(readFileSync(HOLIDAYS_FILE, "utf8"))).holidays);
  return shipped;
}

export function sortHolidays(list: Holiday[]): Holiday[] {
  return [...list].sort((a, b) => a.date.localeCompare(b.date));
}

/** The region's list: its admins' version, else the shipped one (an unreadable column falls back too). */
export function regionHolidays(region: { holidays: string | null }): Holiday[] {
  if (region.holidays === null) return shippedHolidays();
  try {
    const parsed = holidayList.safeParse(JSON.parse(region.holidays));
    if (parsed.success) return sortHolidays(parsed.data);
  } catch {}
  return shippedHolidays();
}

/** Parses a center's stored hours (the column is JSON text). */
export function readSchedule(json: string): Schedule {
  try {
    const v = JSON.parse(json);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Schedule) : {};
  } catch {
    return {};
  }
}

/** Copies the region's holiday dates into every center of the region that keeps them. */
export async function syncCenterHolidays(tx: Tx, regionCode: string, list: Holiday[]): Promise<number> {
  const dates = list.map((h) => h.date);
  const centers = await tx.center.findMany({ where: { regionCode }, select: { id: true, hours: true } });
  let changed = 0;
  for (const c of centers) {
    const hours = readSchedule(c.hours);
    if (!Array.isArray(hours.holidays)) continue;
    await tx.center.update({ where: { id: c.id }, data: { hours: JSON.stringify({ ...hours, holidays: dates }) } });
    changed++;
  }
  return changed;
}
