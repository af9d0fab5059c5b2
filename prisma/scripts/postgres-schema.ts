// The PostgreSQL schema is derived from prisma/schema.prisma (the one model): only the datasource
// provider and the generated client's folder differ. `tsx prisma/scripts/postgres-schema.ts`
// (part of `npm run db:generate`) writes it to src/generated/postgresql/schema.prisma; it is not
// committed. prisma/postgresql/migrated-model.prisma is different: the derived schema as of the
// last PostgreSQL migration, written by `npm run db:migration` only.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const PRISMA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const SQLITE_SCHEMA = path.join(PRISMA_DIR, "schema.prisma");
export const POSTGRES_SCHEMA = path.join(PRISMA_DIR, "..", "src", "generated", "postgresql", "schema.prisma");
/** The model the PostgreSQL migrations produce (a snapshot; compared with the derived schema). */
export const POSTGRES_MIGRATED_MODEL = path.join(PRISMA_DIR, "postgresql", "migrated-model.prisma");

const HEADER =
  "// DERIVED from prisma/schema.prisma by prisma/scripts/postgres-schema.ts — do not edit.\n" +
  "// Change prisma/schema.prisma, then `npm run db:migration -- <name>` (README, Database and Prisma).\n\n";

export function derivePostgresSchema(source: string = readFileSync(SQLITE_SCHEMA, "utf8")): string {
  const provider = /(datasource\s+db\s*\{[^}]*provider\s*=\s*)"sqlite"/;
  const output = /(generator\s+client\s*\{[^}]*output\s*=\s*)"\.\.\/src\/generated\/prisma"/;
  if (!provider.test(source) || !output.test(source)) {
    throw new Error("prisma/schema.prisma: expected provider \"sqlite\" and output \"../src/generated/prisma\"");
  }
  return HEADER + source.replace(provider, '$1"postgresql"').replace(output, '$1"../prisma-postgresql"');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  mkdirSync(path.dirname(POSTGRES_SCHEMA), { recursive: true });
  writeFileSync(POSTGRES_SCHEMA, derivePostgresSchema());
}
