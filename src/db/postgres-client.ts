// PostgreSQL through Prisma's pg driver adapter. The client is generated from the derived schema
// (prisma/postgresql/schema.prisma: the same models, another provider); its API is the SQLite
// client's, so the rest of the code sees one `Db` type.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient as PostgresClient } from "../generated/prisma-postgresql/client.ts";
import type { Db } from "./client.ts";
import { CONNECT_TIMEOUT_MS } from "./migrate-postgres.ts";

export async function openPostgres(url: string, transactionOptions: { maxWait: number; timeout: number }): Promise<Db> {
  const adapter = new PrismaPg({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, max: 10 });
  const db = new PostgresClient({ adapter, transactionOptions });
  await db.$queryRawUnsafe("SELECT 1");
  return db as unknown as Db;
}
