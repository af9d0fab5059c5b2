// The database of a command-line tool, opened exactly as the service opens its own: PostgreSQL when
// DATABASE_URL is set, else the SQLite file DATABASE_FILE; migrated, regions seeded.
import type { Db } from "../db/client.ts";
import { describeTarget, prepareDatabase, targetOf } from "../db/open-database.ts";
import { seedRegions } from "../db/seed-regions.ts";

export type CliDatabase = { type: "ok"; db: Db; where: string } | { type: "error"; message: string };

export async function openCliDatabase(env: NodeJS.ProcessEnv): Promise<CliDatabase> {
  const databaseUrl = env.DATABASE_URL?.trim() || undefined;
  // The same rule as the service's configuration (src/config.ts).
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    return { type: "error", message: "DATABASE_URL must be a postgresql:// URL (SQLite is chosen with DATABASE_FILE)" };
  }
  const target = targetOf({ databaseFile: env.DATABASE_FILE?.trim() || "./data/opora.db", databaseUrl });
  const prepared = await prepareDatabase(target);
  if (prepared.type === "error") return { type: "error", message: `cannot open the database ${prepared.where}: ${prepared.message}` };
  await seedRegions(prepared.db);
  return { type: "ok", db: prepared.db, where: describeTarget(target) };
}
