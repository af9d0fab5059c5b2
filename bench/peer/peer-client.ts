// The peer build's own Prisma client: Opora's schema plus the `Session` model that
// @grammyjs/storage-prisma's README asks for, as a developer adding that adapter would write it.
// The client is generated on first use into bench/peer/generated/ (gitignored, regenerated when
// the schema changes), so installing Opora does not build a client only the benchmark needs.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import type { SessionDelegate } from "@grammyjs/storage-prisma";
import { type Db, type DbTarget, SQLITE_PRAGMAS, sqliteAdapter, TRANSACTION_OPTIONS } from "../../src/db/client.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..", "..");
const out = path.join(here, "generated");

/** The model from @grammyjs/storage-prisma's README, verbatim. */
const SESSION_MODEL = `
model Session {
  id    Int    @id @default(autoincrement())
  key   String @unique
  value String
}
`;

const SOURCE_SCHEMA = {
  sqlite: path.join(root, "prisma", "schema.prisma"),
  postgresql: path.join(root, "src", "generated", "postgresql", "schema.prisma"),
} as const;

/** The same table for the peer's database, created by the bench (Opora's migrations do not know it). */
const SESSION_TABLE = {
  sqlite: [
    `CREATE TABLE IF NOT EXISTS "Session" ("id" INTEGER PRIMARY KEY AUTOINCREMENT, "key" TEXT NOT NULL, "value" TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS "Session_key_key" ON "Session"("key")`,
  ],
  postgresql: [
    `CREATE TABLE IF NOT EXISTS "Session" ("id" SERIAL PRIMARY KEY, "key" TEXT NOT NULL, "value" TEXT NOT NULL)`,
    `CREATE UNIQUE INDEX IF NOT EXISTS "Session_key_key" ON "Session"("key")`,
  ],
} as const;

export type PeerDb = Db & { session: SessionDelegate };

/** Writes the peer's schema and generates its client unless the one on disk was made from the same schema. */
function ensureClient(engine: DbTarget["engine"]): string {
  const schema = readFileSync(SOURCE_SCHEMA[engine], "utf8")
    .replace(/output\s*=\s*"[^"]*"/, `output = "./${engine}"`)
    .concat(SESSION_MODEL);
  const hash = createHash("sha256").update(schema).digest("hex");
  const dir = path.join(out, engine);
  const stamp = path.join(dir, ".schema-hash");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash) return dir;
  mkdirSync(out, { recursive: true });
  const schemaFile = path.join(out, `schema-${engine}.prisma`);
  writeFileSync(schemaFile, schema);
  const cli = path.join(root, "node_modules", "prisma", "build", "index.js");
  // Each engine's Prisma config (the JS engine and its driver adapter): without it the CLI would fetch a native engine.
  const config = engine === "postgresql" ? ["--config", path.join(root, "prisma", "postgresql", "prisma.config.ts")] : [];
  execFileSync(process.execPath, [cli, "generate", ...config, "--schema", schemaFile], {
    cwd: root,
    stdio: ["ignore", "ignore", "inherit"],
    // Generating connects nowhere; the schema's datasource only needs a URL of its engine's kind.
    env: { ...process.env, DATABASE_URL: engine === "postgresql" ? "postgresql://localhost/unused" : "file:./unused.db", PRISMA_HIDE_UPDATE_MESSAGE: "1" },
  });
  writeFileSync(stamp, hash);
  return dir;
}

/** Opens the peer's client on the benchmark's database (its own connection), with the Session table. */
export async function openPeerDb(target: DbTarget): Promise<PeerDb> {
  const dir = ensureClient(target.engine);
  // A path only known at run time, so type-checking Opora does not need the generated client.
  const { PrismaClient } = (await import(path.join(dir, "client.ts"))) as {
    PrismaClient: new (options: object) => PeerDb;
  };
  const transactionOptions = TRANSACTION_OPTIONS;
  let db: PeerDb;
  if (target.engine === "postgresql") {
    db = new PrismaClient({ adapter: new PrismaPg({ connectionString: target.url, max: 10 }), transactionOptions });
  } else {
    // Opora's connection settings, so the two builds write the file the same way.
    db = new PrismaClient({ adapter: sqliteAdapter(target.file), transactionOptions });
    for (const pragma of SQLITE_PRAGMAS) await db.$queryRawUnsafe(`PRAGMA ${pragma}`);
  }
  for (const ddl of SESSION_TABLE[target.engine]) await db.$executeRawUnsafe(ddl);
  return db;
}
