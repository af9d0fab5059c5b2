// PostgreSQL through Prisma's pg driver adapter (filled in with the PostgreSQL engine).
import type { Db } from "./client.ts";

export async function openPostgres(_url: string, _transactionOptions: { maxWait: number; timeout: number }): Promise<Db> {
  throw new Error("PostgreSQL is not supported yet");
}
