// Opens the SQLite database through Prisma's better-sqlite3 driver adapter and sets the pragmas
// the product relies on: WAL for concurrent readers, foreign keys, a busy timeout, and secure
// deletion so erased personal data is overwritten in the file rather than left in free pages.
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../generated/prisma/client.ts";

export type Db = PrismaClient;
/** The client inside `db.$transaction(async (tx) => …)`. */
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

export interface OpenDbOptions {
  /** Path of the SQLite file (not a URL). */
  file: string;
}

export async function openDb({ file }: OpenDbOptions): Promise<Db> {
  const adapter = new PrismaBetterSQLite3({ url: `file:${file}`, timeout: 5000 });
  const db = new PrismaClient({ adapter });
  // PRAGMA statements return rows, so they go through $queryRawUnsafe.
  await db.$queryRawUnsafe("PRAGMA journal_mode = WAL");
  await db.$queryRawUnsafe("PRAGMA foreign_keys = ON");
  await db.$queryRawUnsafe("PRAGMA busy_timeout = 5000");
  await db.$queryRawUnsafe("PRAGMA secure_delete = ON");
  await db.$queryRawUnsafe("PRAGMA synchronous = NORMAL");
  return db;
}
