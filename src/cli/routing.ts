// `npm run routing -- <command>`: import a region's routing file, export one, or explain where a
// request would go and why. Works on the database of DATABASE_FILE (default ./data/opora.db),
// migrating and seeding it first. Bad input: one clear message per problem, exit code 1, nothing
// changed.
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import type { Db } from "../db/client.ts";
import { prepareDatabase, targetOf } from "../db/open-database.ts";
import { seedRegions } from "../db/seed-regions.ts";
import {
  CATEGORIES,
  type Category,
  DEFAULT_URGENCY,
  FLAGS,
  type Flag,
  isCategory,
  isFlag,
  isUrgency,
  maxUrgency,
  type Urgency,
} from "../domain/taxonomy.ts";
import { routeRequest } from "../routing/engine.ts";
import { isFederalFile, parseRoutingFile } from "../routing/routing-file.ts";
import {
  exportRoutingFile,
  importRoutingFile,
  loadRoutingSnapshot,
  UnknownRegionError,
} from "../routing/routing-store.ts";
import type { RoutingMunicipality, RoutingSnapshot } from "../routing/types.ts";
import { FEDERAL_SCOPE } from "../routing/validate-rules.ts";
import { formatLocalRu, instantOfLocal } from "../routing/working-hours.ts";

const USAGE = `Usage: npm run routing -- <command>
  import FILE                      apply a routing file (all or nothing, audited)
  export CODE [--out FILE]         write the routing file of region CODE (or "federal")
  explain --region CODE [--municipality KEY] [--categories a,b] [--urgency P0..P3]
          [--flags x,y] [--at 2026-11-25T23:00 | 2026-11-25T23:00:00+04:00]
                                   where would such a request go at that time (without
                                   an offset: the region's local time), why, and whether
                                   it overflows along the 24/7 chain
Database: DATABASE_FILE (default ./data/opora.db), or DATABASE_URL=postgresql://… as for the service.`;

export interface CliIo {
  env: NodeJS.ProcessEnv;
  out(line: string): void;
  err(line: string): void;
}

/** Bad input from the command line: printed as is, exit code 1. */
class UsageError extends Error {}

export async function runRoutingCli(argv: string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    (command === undefined ? io.err : io.out)(USAGE);
    return command === undefined ? 1 : 0;
  }
  if (!["import", "export", "explain"].includes(command)) {
    io.err(`unknown command "${command}"\n${USAGE}`);
    return 1;
  }
  let db: Db | undefined;
  try {
    const args = parseCommandArgs(command, rest);
    // Check what needs no database before touching one.
    const importJson = command === "import" ? readJsonFile(args.positionals[0]!) : undefined;
    db = await openDatabase(io.env.DATABASE_FILE?.trim() || "./data/opora.db", io.env.DATABASE_URL?.trim() || undefined);
    if (command === "import") return await runImport(db, importJson, args.positionals[0]!, io);
    if (command === "export") return await runExport(db, args.positionals[0]!, args.values.out, io);
    return await runExplain(db, args.values, io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(err.message);
      return 1;
    }
    throw err;
  } finally {
    await db?.$disconnect();
  }
}

type Values = Partial<
  Record<"out" | "region" | "municipality" | "categories" | "urgency" | "flags" | "at", string>
>;

function parseCommandArgs(command: string, args: string[]): { positionals: string[]; values: Values } {
  const options =
    command === "export"
      ? { out: { type: "string" as const } }
      : command === "explain"
        ? Object.fromEntries(
            ["region", "municipality", "categories", "urgency", "flags", "at"].map((k) => [
              k,
              { type: "string" as const },
            ]),
          )
        : {};
  let parsed: { positionals: string[]; values: Record<string, unknown> };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(`${command}: ${(err as Error).message}`);
  }
  const expected = command === "explain" ? 0 : 1;
  if (parsed.positionals.length !== expected) {
    const what =
      command === "import"
        ? "one FILE"
        : command === "export"
          ? "one region CODE"
          : "no positional arguments";
    throw new UsageError(`${command} expects ${what}\n${USAGE}`);
  }
  return { positionals: parsed.positionals, values: parsed.values as Values };
}

function readJsonFile(file: string): unknown {
  let raw: string;
  try {
    raw = readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(
      `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
}

async function openDatabase(file: string, url: string | undefined): Promise<Db> {
  // PostgreSQL when DATABASE_URL is set, as for the service.
  const prepared = await prepareDatabase(targetOf({ databaseFile: file, databaseUrl: url }));
  if (prepared.type === "error") throw new UsageError(`database ${prepared.where}: ${prepared.message}`);
  const db = prepared.db;
  await seedRegions(db);
  return db;
}

async function runImport(db: Db, json: unknown, file: string, io: CliIo): Promise<number> {
  const regions = (await db.region.findMany()).map(({ code, name, timezone }) => ({ code, name, timezone }));
  const parsed = parseRoutingFile(json, { regions });
  const result = parsed.type === "ok" ? await importRoutingFile(db, parsed.file, { actor: "cli" }) : parsed;
  if (result.type === "error") {
    io.err(
      `${file}: not imported, nothing changed (${result.issues.length} problem${result.issues.length === 1 ? "" : "s"}):`,
    );
    for (const issue of result.issues) io.err(`  ${issue.path}: ${issue.message}`);
    return 1;
  }
  const s = result.summary;
  const scope =
    parsed.type === "ok" && isFederalFile(parsed.file)
      ? "federal routing"
      : `region ${s.scope} (${regions.find((r) => r.code === s.scope)?.name ?? "?"})`;
  const d = s.deactivated;
  io.out(
    `imported ${scope}: ${s.municipalities} municipalities, ${s.centers} centers, ${s.queues} queues, ${s.rules} rules; ` +
      `deactivated (not in the file): ${d.municipalities} municipalities, ${d.centers} centers, ${d.queues} queues, ${d.rules} rules`,
  );
  return 0;
}

async function runExport(db: Db, code: string, out: string | undefined, io: CliIo): Promise<number> {
  if (code !== FEDERAL_SCOPE && !/^\d{2}$/.test(code)) {
    throw new UsageError(
      `unknown region "${code}": expected a two-digit region code such as 63, or "federal"`,
    );
  }
  let file: unknown;
  try {
    file = await exportRoutingFile(db, code);
  } catch (err) {
    if (err instanceof UnknownRegionError) throw new UsageError(err.message);
    throw err;
  }
  const text = `${JSON.stringify(file, null, 2)}\n`;
  if (out === undefined) {
    io.out(text.trimEnd());
    return 0;
  }
  try {
    writeFileSync(out, text);
  } catch (err) {
    throw new UsageError(
      `cannot write ${out}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  io.out(`wrote ${out}`);
  return 0;
}

function listOf<T extends string>(
  raw: string | undefined,
  known: readonly T[],
  is: (x: string) => x is T,
  what: string,
): T[] {
  const items = (raw ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = items.filter((x) => !is(x));
  if (unknown.length > 0) {
    throw new UsageError(
      `unknown ${what} ${unknown.map((x) => `"${x}"`).join(", ")} (known: ${known.join(", ")})`,
    );
  }
  return [...new Set(items as T[])];
}

const fold = (s: string) => s.trim().toLowerCase().replaceAll("ё", "е");

function findMunicipality(snapshot: RoutingSnapshot, regionCode: string, raw: string): RoutingMunicipality {
  const inRegion = snapshot.municipalities.filter((m) => m.regionCode === regionCode);
  const wanted = fold(raw);
  const found =
    inRegion.find((m) => m.key === raw) ??
    inRegion.find((m) => [m.name, ...(m.aliases ?? [])].some((n) => fold(n) === wanted));
  if (!found) {
    const known = inRegion.map((m) => m.key).join(", ") || "none";
    throw new UsageError(`unknown municipality "${raw}" in region ${regionCode} (known: ${known})`);
  }
  return found;
}

async function runExplain(db: Db, values: Values, io: CliIo): Promise<number> {
  if (!values.region) throw new UsageError(`explain needs --region CODE\n${USAGE}`);
  const snapshot = await loadRoutingSnapshot(db);
  for (const w of snapshot.warnings ?? []) io.err(`warning: ${w}`);
  const region = snapshot.regions.find((r) => r.code === values.region);
  if (!region)
    throw new UsageError(`unknown region "${values.region}": expected a two-digit region code such as 63`);
  const municipality = values.municipality
    ? findMunicipality(snapshot, region.code, values.municipality)
    : null;
  const categories: Category[] = listOf(values.categories, CATEGORIES, isCategory, "category");
  const flags: Flag[] = listOf(values.flags, FLAGS, isFlag, "flag");
  if (values.urgency !== undefined && !isUrgency(values.urgency)) {
    throw new UsageError(`unknown urgency "${values.urgency}" (known: P0, P1, P2, P3)`);
  }
  const urgency: Urgency =
    (values.urgency as Urgency | undefined) ??
    (categories.length > 0 ? categories.map((c) => DEFAULT_URGENCY[c]).reduce(maxUrgency) : "P2");
  const now =
    values.at === undefined
      ? new Date()
      : (instantOfLocal(region.timezone, values.at) ?? new Date(values.at));
  if (Number.isNaN(now.getTime())) {
    throw new UsageError(
      `invalid --at "${values.at}": expected a local time such as 2026-11-25T23:00 or an ISO date-time such as 2026-11-25T23:00:00+04:00`,
    );
  }
  let decision: ReturnType<typeof routeRequest>;
  try {
    decision = routeRequest(snapshot, {
      regionCode: region.code,
      municipalityId: municipality?.id ?? null,
      categories,
      urgency,
      flags,
      now,
    });
  } catch (err) {
    throw new UsageError(`${(err as Error).message}`);
  }
  const placedBy =
    decision.reason === "rule"
      ? `rule ${decision.rule?.key}`
      : decision.reason === "region_default"
        ? "region default queue"
        : "federal fallback queue";
  const opens =
    decision.openNow || !decision.nextOpeningAt
      ? decision.openNow
        ? "yes"
        : "no (no working hours)"
      : `no, opens ${formatLocalRu(region.timezone, decision.nextOpeningAt)} local time`;
  io.out(
    [
      `request:  region ${region.code} ${region.name}${municipality ? `, ${municipality.name}` : ""}; categories ${categories.join(", ") || "none"}; urgency ${urgency}${values.urgency ? "" : " (derived)"}; flags ${flags.join(", ") || "none"}; at ${now.toISOString()}`,
      `queue:    ${decision.queue.key} «${decision.queue.name}»`,
      `center:   ${decision.center.key} «${decision.center.name}» ${decision.center.publicPhone}`,
      `placed:   ${placedBy}${decision.overflow ? `; the rules chose ${decision.chosen.queue.key}, closed at that time` : ""}`,
      `overflow: ${
        decision.overflowStep === "region_24x7"
          ? "to the region's 24/7 queue"
          : decision.overflowStep === "federal_24x7"
            ? "to the federal 24/7 reserve (no 24/7 queue in the region)"
            : decision.noOpenQueue
              ? "none possible: COVERAGE GAP — no open queue even through the 24/7 chain"
              : "none"
      }`,
      `local:    ${formatLocalRu(region.timezone, now)} (${region.timezone})`,
      `open now: ${opens}`,
      `why:      ${decision.explanation}`,
    ].join("\n"),
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const code = await runRoutingCli(process.argv.slice(2), {
    env: process.env,
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
  process.exitCode = code;
}
