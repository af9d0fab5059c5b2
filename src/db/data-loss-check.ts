// At start, before anything is seeded or served: signs that the database has lost data. A region's
// request-number counter behind the highest number already given out means the file went back in
// time for part of its pages (e.g. a deleted -wal file, a partial restore); serving on would hand
// out request numbers that families and operators already hold. Never repaired silently.
import { type Db, engineOf } from "./client.ts";

export type DataLossResult = { type: "ok" } | { type: "error"; code: "DATA_LOST"; message: string };

export async function checkForDataLoss(db: Db): Promise<DataLossResult> {
  // Numbers are "<region>-<digits>" (formatRequestNumber); substr/CAST read the same on both engines.
  const highest = `CAST(substr(r."number", length(r."regionCode") + 2) AS INTEGER)`;
  const rows = await db.$queryRawUnsafe<{ regionCode: string; last: number | bigint; highest: number | bigint }[]>(
    `SELECT r."regionCode" AS "regionCode", c."last" AS "last", MAX(${highest}) AS "highest"
       FROM "Request" r JOIN "RequestNumberCounter" c ON c."regionCode" = r."regionCode"
      ${engineOf(db) === "postgresql" ? `WHERE r."number" ~ '^[0-9]+-[0-9]+$'` : `WHERE r."number" GLOB '[0-9]*-[0-9]*'`}
      GROUP BY r."regionCode", c."last"
     HAVING MAX(${highest}) > c."last"
      ORDER BY r."regionCode"`,
  );
  const behind = rows[0];
  if (!behind) return { type: "ok" };
  const regions = rows.map((r) => r.regionCode).join(", ");
  return {
    type: "error",
    code: "DATA_LOST",
    message: `the database has lost data: region ${behind.regionCode}'s request-number counter is at ${Number(behind.last)} but request number ${Number(behind.highest)} was already given out (regions affected: ${regions}) — the file was probably restored or copied without its -wal file; restore the latest backup (README "Backups"). Opora does not start on it, so that no request number is given out twice`,
  };
}
