// Municipalities (districts and towns) of a region, as its admins list and edit them.
import type { Db } from "../../db/client.ts";
import type { Municipality } from "../../generated/prisma/client.ts";
import { type AdminChange, auditAdminChange } from "./admin-change.ts";

export interface MunicipalityFields {
  key: string;
  name: string;
  aliases: string[];
}

/** All municipalities of the region, active first. */
export function listMunicipalitiesOfRegion(db: Db, regionCode: string): Promise<Municipality[]> {
  return db.municipality.findMany({ where: { regionCode }, orderBy: [{ active: "desc" }, { name: "asc" }] });
}

export function activeMunicipalitiesOfRegion(db: Db, regionCode: string): Promise<Municipality[]> {
  return db.municipality.findMany({ where: { regionCode, active: true }, orderBy: { name: "asc" } });
}

export function findMunicipalityInRegion(db: Db, regionCode: string, id: string): Promise<Municipality | null> {
  return db.municipality.findFirst({ where: { id, regionCode } });
}

/** Municipality keys are unique within their region. */
export async function municipalityKeyTaken(db: Db, regionCode: string, key: string, exceptId: string | null): Promise<boolean> {
  return !!(await db.municipality.findFirst({ where: { key, regionCode, NOT: { id: exceptId ?? "" } }, select: { id: true } }));
}

export function saveMunicipality(db: Db, change: AdminChange, id: string | null, fields: MunicipalityFields): Promise<Municipality> {
  const data = { key: fields.key, name: fields.name, aliases: JSON.stringify(fields.aliases), regionCode: change.regionCode };
  return db.$transaction(async (tx) => {
    const m = id ? await tx.municipality.update({ where: { id }, data }) : await tx.municipality.create({ data });
    await auditAdminChange(tx, change, id ? "municipality.update" : "municipality.create", { type: "municipality", id: m.key }, { id: m.id });
    return m;
  });
}

export async function setMunicipalityActive(
  db: Db,
  change: AdminChange,
  municipality: Pick<Municipality, "id" | "key">,
  active: boolean,
): Promise<void> {
  await db.$transaction(async (tx) => {
    await tx.municipality.update({ where: { id: municipality.id }, data: { active } });
    await auditAdminChange(
      tx,
      change,
      `municipality.${active ? "activate" : "deactivate"}`,
      { type: "municipality", id: municipality.key },
      { id: municipality.id },
    );
  });
}
