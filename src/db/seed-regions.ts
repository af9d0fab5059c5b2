// Seeds the 89 regions of the Russian Federation (prisma/regions.csv) idempotently.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Db } from "./client.ts";

const REGIONS_CSV = fileURLToPath(new URL("../../prisma/regions.csv", import.meta.url));

const regionRow = z.object({
  code: z.string().regex(/^\d{2}$/),
  name: z.string().min(2),
  timezone: z.string().min(3),
  plateCodes: z.string(),
});
export type RegionRow = z.infer<typeof regionRow>;

export function readRegionsCsv(file: string = REGIONS_CSV): RegionRow[] {
  const [header, ...lines] = readFileSync(file, "utf8").trim().split(/\r?\n/);
  if (header !== "code,name,timezone,plate_codes") throw new Error(`unexpected header in ${file}`);
  return lines.map((line, i) => {
    const [code, name, timezone, plateCodes] = line.split(",");
    const parsed = regionRow.safeParse({ code, name, timezone, plateCodes: plateCodes ?? "" });
    if (!parsed.success) throw new Error(`${file}:${i + 2}: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  });
}

/** Inserts missing regions and refreshes names/timezones of existing ones. Returns the count. */
export async function seedRegions(db: Db, rows: RegionRow[] = readRegionsCsv()): Promise<number> {
  await db.$transaction(
    rows.map((r) =>
      db.region.upsert({
        where: { code: r.code },
        create: r,
        update: { name: r.name, timezone: r.timezone, plateCodes: r.plateCodes },
        // Only the key back: an older database being seeded before its migration may lack newer columns.
        select: { code: true },
      }),
    ),
  );
  return rows.length;
}
