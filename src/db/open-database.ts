// Start-up: migrate the database the configuration names (SQLite file or PostgreSQL URL), then open
// it. Failures come back as one clear line (never the password of a URL) for the caller to print.
import { type Db, type DbTarget, openDb } from "./client.ts";
import { checkForDataLoss } from "./data-loss-check.ts";
import { migrateDatabase } from "./migrate.ts";
import { describeConnectError, migratePostgres, redactUrl } from "./migrate-postgres.ts";

export type PrepareResult =
  | { type: "ok"; db: Db; target: DbTarget; applied: string[] }
  | { type: "error"; code: string; message: string; where: string };

/** PostgreSQL when `url` is set, otherwise SQLite in `file`. */
export function targetOf(settings: { databaseFile: string; databaseUrl?: string | undefined }): DbTarget {
  return settings.databaseUrl ? { engine: "postgresql", url: settings.databaseUrl } : { engine: "sqlite", file: settings.databaseFile };
}

export function describeTarget(target: DbTarget): string {
  return target.engine === "sqlite" ? target.file : redactUrl(target.url);
}

export async function prepareDatabase(target: DbTarget): Promise<PrepareResult> {
  const where = describeTarget(target);
  const migrated = target.engine === "sqlite" ? migrateDatabase(target.file) : await migratePostgres(target.url);
  if (migrated.type === "error") return { type: "error", code: migrated.code, message: migrated.message, where };
  try {
    const db = await openDb(target);
    // Refused before anything is seeded or served (demo data would hide the loss).
    const lost = await checkForDataLoss(db);
    if (lost.type === "error") {
      await db.$disconnect();
      return { type: "error", code: lost.code, message: lost.message, where };
    }
    return { type: "ok", db, target, applied: migrated.applied };
  } catch (err) {
    if (target.engine === "postgresql") return { type: "error", ...describeConnectError(err, target.url), where };
    throw err;
  }
}
