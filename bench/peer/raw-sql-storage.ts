// A hand-tuned variant of the peer's session storage (`--bot peer-raw`): grammY's storage-adapter
// shape (read / write / delete by key) over the same `Session` table as @grammyjs/storage-prisma,
// through typed raw SQL — one statement per call, without the model queries' cost in Prisma's
// client. Same SQL on SQLite and PostgreSQL.
import type { StorageAdapter } from "grammy";
import type { Db } from "../../src/db/client.ts";

export function rawSqlStorage<T>(db: Db): StorageAdapter<T> {
  return {
    async read(key) {
      const rows = await db.$queryRaw<
        Array<{ value: string }>
      >`SELECT "value" FROM "Session" WHERE "key" = ${key}`;
      return rows[0] ? (JSON.parse(rows[0].value) as T) : undefined;
    },
    async write(key, value) {
      const json = JSON.stringify(value);
      await db.$executeRaw`INSERT INTO "Session" ("key", "value") VALUES (${key}, ${json}) ON CONFLICT ("key") DO UPDATE SET "value" = excluded."value"`;
    },
    async delete(key) {
      await db.$executeRaw`DELETE FROM "Session" WHERE "key" = ${key}`;
    },
  };
}
