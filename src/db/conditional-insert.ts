// One row's INSERT, optionally written only under a condition (`INSERT … SELECT … WHERE`): how a
// step's writes are chained, each on the one before, in one batch or one statement
// (dialog/conversation-store.ts, commitCachedStep).
import { Prisma } from "../generated/prisma/client.ts";
import type { DbEngine } from "./client.ts";

/** Write the row only while `condition` holds (nothing is written when it is false). */
export interface WriteCondition {
  condition: Prisma.Sql;
  engine: DbEngine;
}

/** `INSERT … VALUES (…)`, or under `when` `INSERT … SELECT … WHERE` (PostgreSQL needs its timestamps typed there). */
export function insertRow(table: string, columns: readonly string[], values: readonly (string | Date | Prisma.Sql)[], when?: WriteCondition): Prisma.Sql {
  const head = Prisma.raw(`INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(", ")})`);
  const typed = values.map((v) => (v instanceof Date && when?.engine === "postgresql" ? Prisma.sql`${v}::timestamp(3)` : v));
  return when ? Prisma.sql`${head} SELECT ${Prisma.join(typed)} WHERE ${when.condition}` : Prisma.sql`${head} VALUES (${Prisma.join(typed)})`;
}
