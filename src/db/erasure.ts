// After personal data is erased (withdrawal, retention), make the engine drop its old copies too.
// SQLite: secure_delete already zeroes freed space in the pages written; a TRUNCATE checkpoint
// moves those pages into the main file and empties the WAL, so the values survive nowhere in the
// database files. PostgreSQL keeps an updated row's old version as a dead tuple until vacuumed:
// VACUUM removes them from the tables that hold personal data (README says what remains on disk).
import { familyFields, PERSONAL_DATA_REGISTRY, type RegisteredModel } from "../privacy/personal-data-registry.ts";
import { type Db, engineOf } from "./client.ts";

/** Tables with a column of the family's personal data (the registry's "family" class). */
export const PERSONAL_DATA_TABLES = (Object.keys(PERSONAL_DATA_REGISTRY) as RegisteredModel[]).filter((m) => familyFields(m).length > 0);

export async function flushErasedData(db: Db): Promise<void> {
  if (engineOf(db) === "postgresql") {
    // Not inside a transaction (VACUUM refuses that): a top-level statement of its own.
    await db.$executeRawUnsafe(`VACUUM ${PERSONAL_DATA_TABLES.map((t) => `"${t}"`).join(", ")}`);
    return;
  }
  await db.$queryRawUnsafe("PRAGMA wal_checkpoint(TRUNCATE)");
}
