// Route handlers validate, call repositories or services, and render: no Prisma query is written
// inside src/admin/routes/ (issue 14 §6). Queries live in repositories named for what they hold
// (src/admin/repositories/, src/requests/…), where their region and role scoping is in one place.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROUTES = path.resolve("src/admin/routes");

/** Prisma client access: a model call on db/tx/prisma (`db.center.findMany(`, `deps.db.request.count(`), or raw SQL / transactions. */
const DIRECT_QUERY = [
  /\b(?:db|tx|prisma|client)\s*\??\.\s*(?!\$)[a-z][A-Za-z0-9]*\s*\??\.\s*[a-zA-Z]+\s*\(/,
  /\$(?:queryRaw|queryRawUnsafe|executeRaw|executeRawUnsafe|transaction)\b/,
  // A value import of the generated client (types are fine: `import type { Prisma }`).
  /^\s*import\s+(?!type\b)[^;]*generated\/prisma/,
];

/** Source without comments, so a comment that mentions `db.x.findMany(` is not a finding. */
function stripComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, (m) => m.replace(/[^\n]/g, " ")).replace(/(^|[^:"'`])\/\/.*$/gm, "$1");
}

function directQueries(source: string): { line: number; text: string }[] {
  const out: { line: number; text: string }[] = [];
  const lines = stripComments(source).split("\n");
  for (const [i, text] of lines.entries()) {
    if (DIRECT_QUERY.some((re) => re.test(text))) out.push({ line: i + 1, text: text.trim() });
  }
  return out;
}

function routeFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? routeFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : [],
  );
}

describe("no Prisma in route handlers", () => {
  it("the detector finds each way of querying directly, and not types or comments", () => {
    for (const bad of [
      "const rows = await db.center.findMany({ where });",
      "await deps.db.staffUser.update({ where: { id } });",
      "const c = await tx.queue.create({ data });",
      "await db.$transaction(async (t) => {});",
      "const n = await deps.db.$queryRaw`SELECT 1`;",
      "await db.$executeRawUnsafe('DELETE FROM x');",
      'import { PrismaClient } from "../../generated/prisma/client.ts";',
    ]) {
      expect(directQueries(bad), bad).toHaveLength(1);
    }
    for (const fine of [
      'import type { Prisma } from "../../generated/prisma/client.ts";',
      "// the old code did db.center.findMany({ where }) here",
      "const rows = await listCentersOfRegion(db, region.code);",
      "const { db } = deps;",
      "req.staff.id",
    ]) {
      expect(directQueries(fine), fine).toEqual([]);
    }
  });

  it("no file under src/admin/routes/ queries the database itself", () => {
    const files = routeFiles(ROUTES);
    expect(files.length).toBeGreaterThan(5);
    const findings = files.flatMap((f) => directQueries(readFileSync(f, "utf8")).map((q) => `${path.relative(process.cwd(), f)}:${q.line}  ${q.text}`));
    expect(findings, "move these queries into a repository (src/admin/repositories/)").toEqual([]);
  });
});
