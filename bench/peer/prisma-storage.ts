// The peer build's storage: grammY's storage-adapter shape (read / write / delete by key) over the
// project's Prisma client, one row per chat in a table the benchmark creates for the peer.
// The published @grammyjs/storage-prisma wants a `session` model in the schema; the peer is not
// part of the product, so it keeps its rows in its own table through typed raw SQL instead
// (one statement per call, no slower than the model's `upsert`). Same SQL on SQLite and PostgreSQL.
import type { StorageAdapter } from "grammy";
import type { Db } from "../../src/db/client.ts";

export async function createPeerStorageTable(db: Db): Promise<void> {
  await db.$executeRawUnsafe(
    `CREATE TABLE IF NOT EXISTS "PeerSession" ("key" TEXT PRIMARY KEY, "value" TEXT NOT NULL)`,
  );
}

export function prismaStorage<T>(db: Db): StorageAdapter<T> {
  return {
    async read(key) {
      const rows = await db.$queryRaw<
        Array<{ value: string }>
      >`SELECT "value" FROM "PeerSession" WHERE "key" = ${key}`;
      return rows[0] ? (JSON.parse(rows[0].value) as T) : undefined;
    },
    async write(key, value) {
      const json = JSON.stringify(value);
      await db.$executeRaw`INSERT INTO "PeerSession" ("key", "value") VALUES (${key}, ${json}) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`;
    },
    async delete(key) {
      await db.$executeRaw`DELETE FROM "PeerSession" WHERE "key" = ${key}`;
    },
  };
}
