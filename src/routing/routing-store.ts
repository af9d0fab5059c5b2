// Routing data in the database: the snapshot the engine reads, atomic import of routing files
// (audited), lossless export, and the demo data loaded on first start.
//
// Import semantics: a region file is the whole truth about its region. Entities are upserted by
// key; the region's municipalities, centers, queues and rules missing from the file are
// deactivated (never deleted: requests keep pointing at them). Notification chats of centers are
// operational settings made in the admin view and are neither imported nor exported.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import type { Db, Tx } from "../db/client.ts";
import { CATEGORIES, FLAGS, URGENCIES } from "../domain/taxonomy.ts";
import type { Logger } from "../logging/logger.ts";
import {
  type FederalRoutingFile,
  hoursSchema,
  isFederalFile,
  locateInFile,
  parseRoutingFile,
  type RegionRoutingFile,
  type RoutingFile,
  type RoutingFileJson,
} from "./routing-file.ts";
import type { RoutingRuleData, RoutingSnapshot, WeeklyHours } from "./types.ts";
import { FEDERAL_SCOPE, type RoutingIssue, validateRoutingSnapshot } from "./validate-rules.ts";
import { type AuditActor, writeAudit } from "../audit/write-audit.ts";

/** The client or a transaction client: everything here works on both. */
export type DbClient = Db | Tx;

/** A TEXT column holding JSON, read back through `schema`. */
const jsonColumn = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);
const categoriesColumn = jsonColumn(z.array(z.enum(CATEGORIES)));
const flagsColumn = jsonColumn(z.array(z.enum(FLAGS)));
const aliasesColumn = jsonColumn(z.array(z.string()));
const hoursColumn = jsonColumn(hoursSchema);
const urgencyColumn = z.enum(URGENCIES).nullable();

/**
 * Everything the engine needs. JSON columns are read back through zod; a row that does not parse
 * is made harmless (a rule is skipped, a center gets no hours) and reported in `warnings`.
 */
export async function loadRoutingSnapshot(db: DbClient): Promise<RoutingSnapshot> {
  const [regions, municipalities, centers, queues, rules] = await Promise.all([
    db.region.findMany({ orderBy: { code: "asc" } }),
    db.municipality.findMany({ where: { active: true }, orderBy: [{ regionCode: "asc" }, { key: "asc" }] }),
    db.center.findMany({ orderBy: { key: "asc" } }),
    db.queue.findMany({ orderBy: { key: "asc" } }),
    db.routingRule.findMany({ orderBy: [{ regionCode: "asc" }, { key: "asc" }] }),
  ]);
  const warnings: string[] = [];
  return {
    regions: regions.map((r) => ({ code: r.code, name: r.name, timezone: r.timezone })),
    municipalities: municipalities.map((m) => {
      const aliases = aliasesColumn.safeParse(m.aliases);
      if (!aliases.success) warnings.push(`municipality ${m.regionCode}/${m.key}: unreadable aliases`);
      return { id: m.id, key: m.key, regionCode: m.regionCode, name: m.name, aliases: aliases.data ?? [] };
    }),
    centers: centers.map((c) => {
      const hours = hoursColumn.safeParse(c.hours);
      if (!hours.success) warnings.push(`center ${c.key}: unreadable hours, treated as closed`);
      return {
        id: c.id,
        key: c.key,
        name: c.name,
        regionCode: c.regionCode,
        municipalityId: c.municipalityId,
        publicPhone: c.publicPhone,
        hours: hours.data ?? {},
        is24x7: c.is24x7,
        active: c.active,
      };
    }),
    queues: queues.map((q) => ({
      id: q.id,
      key: q.key,
      name: q.name,
      centerId: q.centerId,
      isDefault: q.isDefault,
      isFallback: q.isFallback,
      active: q.active,
    })),
    rules: rules.map((r): RoutingRuleData => {
      const categories = categoriesColumn.safeParse(r.categories);
      const flags = flagsColumn.safeParse(r.flags);
      const urgency = urgencyColumn.safeParse(r.urgency);
      const readable = categories.success && flags.success && urgency.success;
      if (!readable) warnings.push(`rule ${r.regionCode}/${r.key}: unreadable conditions, rule skipped`);
      return {
        id: r.id,
        key: r.key,
        regionCode: r.regionCode,
        municipalityId: r.municipalityId,
        categories: categories.data ?? [],
        urgency: urgency.data ?? null,
        flags: flags.data ?? [],
        queueId: r.queueId,
        priority: r.priority,
        active: r.active && readable,
      };
    }),
    ...(warnings.length > 0 ? { warnings } : {}),
  };
}

export interface ImportSummary {
  /** Region code or "federal". */
  scope: string;
  municipalities: number;
  centers: number;
  queues: number;
  rules: number;
  /** Entities of the scope that were active and are missing from the file. */
  deactivated: { municipalities: number; centers: number; queues: number; rules: number };
}

export type ImportResult = { type: "ok"; summary: ImportSummary } | { type: "error"; issues: RoutingIssue[] };

export interface ImportOptions {
  /** Who imports, "type:id" (e.g. "cli:root", "staff:ck…", "system:demo"); goes to the audit log. */
  actor: string;
  now?: Date;
}

/** Thrown inside the transaction to roll it back with the issues found. */
class ImportRejected extends Error {
  constructor(readonly issues: RoutingIssue[]) {
    super("routing import rejected");
  }
}

/** Applies one parsed routing file atomically: everything or, on any problem, nothing. */
export async function importRoutingFile(
  db: Db,
  file: RoutingFile,
  options: ImportOptions,
): Promise<ImportResult> {
  try {
    const summary = await db.$transaction((tx) => applyRoutingFile(tx, file, options), { timeout: 60_000 });
    return { type: "ok", summary };
  } catch (err) {
    if (err instanceof ImportRejected) return { type: "error", issues: err.issues };
    throw err;
  }
}

async function applyRoutingFile(
  tx: Tx,
  file: RoutingFile,
  { actor, now = new Date() }: ImportOptions,
): Promise<ImportSummary> {
  const result = isFederalFile(file) ? await applyFederal(tx, file) : await applyRegion(tx, file);
  const scope = isFederalFile(file) ? FEDERAL_SCOPE : file.region;
  const issues = validateRoutingSnapshot(await loadRoutingSnapshot(tx), scope).map((i) =>
    locateInFile(file, i),
  );
  if (issues.length > 0) throw new ImportRejected(issues);
  const [actorType, ...actorId] = actor.split(":");
  await writeAudit(tx, {
    at: now,
    actor: { type: (actorType || "system") as AuditActor["type"], id: actorId.length > 0 ? actorId.join(":") : null },
    action: "routing.import",
    entityType: "routing_file",
    entityId: scope,
    regionCode: isFederalFile(file) ? null : file.region,
    details: { ...result, demo: file.demo === true },
  });
  return result;
}

const reject = (path: string, code: RoutingIssue["code"], message: string): never => {
  throw new ImportRejected([{ path, code, message }]);
};

/** Upserts the centers of a file; a key owned by another region (or federal) is refused. */
async function upsertCenters(
  tx: Tx,
  file: RoutingFile,
  regionCode: string | null,
  municipalityIds: Map<string, string>,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  for (const [i, c] of file.centers.entries()) {
    const existing = await tx.center.findUnique({ where: { key: c.key }, select: { regionCode: true } });
    if (existing && existing.regionCode !== regionCode) {
      reject(
        `centers[${i}].key`,
        "duplicate_key",
        `center key "${c.key}" already belongs to ${existing.regionCode === null ? "the federal centers" : `region ${existing.regionCode}`}`,
      );
    }
    const municipalityKey = (c as { municipality?: string }).municipality;
    const data = {
      regionCode,
      municipalityId: municipalityKey === undefined ? null : (municipalityIds.get(municipalityKey) ?? null),
      name: c.name,
      kind: c.kind,
      publicPhone: c.publicPhone,
      address: c.address ?? null,
      website: c.website ?? null,
      hours: JSON.stringify(c.hours),
      is24x7: c.is24x7,
      active: c.active,
      isDemo: file.demo === true,
    };
    const row = await tx.center.upsert({
      where: { key: c.key },
      create: { key: c.key, ...data },
      update: data,
    });
    ids.set(c.key, row.id);
  }
  return ids;
}

async function upsertQueues(
  tx: Tx,
  file: RoutingFile,
  regionCode: string | null,
  centerIds: Map<string, string>,
) {
  const ids = new Map<string, string>();
  for (const [i, q] of file.queues.entries()) {
    const existing = await tx.queue.findUnique({
      where: { key: q.key },
      select: { center: { select: { regionCode: true } } },
    });
    if (existing && existing.center.regionCode !== regionCode) {
      const owner = existing.center.regionCode;
      reject(
        `queues[${i}].key`,
        "duplicate_key",
        `queue key "${q.key}" already belongs to ${owner === null ? "the federal centers" : `region ${owner}`}`,
      );
    }
    const data = {
      centerId: centerIds.get(q.center)!,
      name: q.name,
      isDefault: q.default,
      isFallback: (q as { fallback?: boolean }).fallback ?? false,
      active: q.active,
    };
    const row = await tx.queue.upsert({
      where: { key: q.key },
      create: { key: q.key, ...data },
      update: data,
    });
    ids.set(q.key, row.id);
  }
  return ids;
}

/** Deactivates the scope's centers and queues that the file does not mention. */
async function deactivateMissingCentersAndQueues(tx: Tx, file: RoutingFile, regionCode: string | null) {
  const centers = await tx.center.updateMany({
    where: { regionCode, active: true, key: { notIn: file.centers.map((c) => c.key) } },
    data: { active: false },
  });
  const queues = await tx.queue.updateMany({
    where: { center: { regionCode }, active: true, key: { notIn: file.queues.map((q) => q.key) } },
    data: { active: false },
  });
  return { centers: centers.count, queues: queues.count };
}

async function applyFederal(tx: Tx, file: FederalRoutingFile): Promise<ImportSummary> {
  const centerIds = await upsertCenters(tx, file, null, new Map());
  await upsertQueues(tx, file, null, centerIds);
  const gone = await deactivateMissingCentersAndQueues(tx, file, null);
  return {
    scope: FEDERAL_SCOPE,
    municipalities: 0,
    centers: file.centers.length,
    queues: file.queues.length,
    rules: 0,
    deactivated: { municipalities: 0, rules: 0, ...gone },
  };
}

async function applyRegion(tx: Tx, file: RegionRoutingFile): Promise<ImportSummary> {
  const regionCode = file.region;
  if (!(await tx.region.findUnique({ where: { code: regionCode } }))) {
    reject("region", "unknown_region", `unknown region "${regionCode}"`);
  }
  const municipalityIds = new Map<string, string>();
  for (const m of file.municipalities) {
    const data = { name: m.name, aliases: JSON.stringify(m.aliases), active: m.active };
    const row = await tx.municipality.upsert({
      where: { regionCode_key: { regionCode, key: m.key } },
      create: { regionCode, key: m.key, ...data },
      update: data,
    });
    municipalityIds.set(m.key, row.id);
  }
  const municipalitiesGone = await tx.municipality.updateMany({
    where: { regionCode, active: true, key: { notIn: file.municipalities.map((m) => m.key) } },
    data: { active: false },
  });
  const centerIds = await upsertCenters(tx, file, regionCode, municipalityIds);
  const queueIds = await upsertQueues(tx, file, regionCode, centerIds);
  const gone = await deactivateMissingCentersAndQueues(tx, file, regionCode);
  for (const r of file.rules) {
    const data = {
      municipalityId: r.municipality === undefined ? null : municipalityIds.get(r.municipality)!,
      categories: JSON.stringify(r.categories),
      urgency: r.urgency ?? null,
      flags: JSON.stringify(r.flags),
      queueId: queueIds.get(r.queue)!,
      priority: r.priority,
      active: r.active,
      note: r.note ?? null,
    };
    await tx.routingRule.upsert({
      where: { regionCode_key: { regionCode, key: r.key } },
      create: { regionCode, key: r.key, ...data },
      update: data,
    });
  }
  const rulesGone = await tx.routingRule.updateMany({
    where: { regionCode, active: true, key: { notIn: file.rules.map((r) => r.key) } },
    data: { active: false },
  });
  return {
    scope: regionCode,
    municipalities: file.municipalities.length,
    centers: file.centers.length,
    queues: file.queues.length,
    rules: file.rules.length,
    deactivated: { municipalities: municipalitiesGone.count, rules: rulesGone.count, ...gone },
  };
}

/** Thrown by `exportRoutingFile` for a code that is neither a known region nor "federal". */
export class UnknownRegionError extends Error {
  constructor(readonly code: string) {
    super(`unknown region "${code}"`);
  }
}

/**
 * The routing file of a region (or "federal"), inactive entries included, defaults omitted,
 * entries ordered by key: import → export → import leaves the database as it was.
 */
export async function exportRoutingFile(db: DbClient, regionCode: string): Promise<RoutingFileJson> {
  const regionScope = regionCode === FEDERAL_SCOPE ? null : regionCode;
  if (regionScope !== null && !(await db.region.findUnique({ where: { code: regionScope } }))) {
    throw new UnknownRegionError(regionCode);
  }
  const [municipalities, centers, queues, rules] = await Promise.all([
    regionScope === null
      ? []
      : db.municipality.findMany({ where: { regionCode: regionScope }, orderBy: { key: "asc" } }),
    db.center.findMany({
      where: { regionCode: regionScope },
      include: { municipality: true },
      orderBy: { key: "asc" },
    }),
    db.queue.findMany({
      where: { center: { regionCode: regionScope } },
      include: { center: true },
      orderBy: { key: "asc" },
    }),
    regionScope === null
      ? []
      : db.routingRule.findMany({
          where: { regionCode: regionScope },
          include: { municipality: true, queue: true },
          orderBy: { key: "asc" },
        }),
  ]);
  const demo = centers.length > 0 && centers.every((c) => c.isDemo);
  const parseJson = (s: string): unknown => {
    try {
      return JSON.parse(s);
    } catch {
      return undefined;
    }
  };
  const centerJson = centers.map((c) => ({
    key: c.key,
    name: c.name,
    ...(c.kind !== "crisis_center" ? { kind: c.kind } : {}),
    ...(c.municipality ? { municipality: c.municipality.key } : {}),
    publicPhone: c.publicPhone,
    ...(c.address !== null ? { address: c.address } : {}),
    ...(c.website !== null ? { website: c.website } : {}),
    hours: (parseJson(c.hours) ?? {}) as WeeklyHours,
    ...(c.is24x7 ? { is24x7: true } : {}),
    ...(c.active ? {} : { active: false }),
  }));
  const queueJson = queues.map((q) => ({
    key: q.key,
    center: q.center.key,
    name: q.name,
    ...(q.isDefault ? { default: true } : {}),
    ...(q.isFallback ? { fallback: true } : {}),
    ...(q.active ? {} : { active: false }),
  }));
  if (regionScope === null) {
    return { version: 1, federal: true, ...(demo ? { demo } : {}), centers: centerJson, queues: queueJson };
  }
  const array = (s: string) => {
    const v = parseJson(s);
    return Array.isArray(v) ? (v as string[]) : [];
  };
  return {
    version: 1,
    region: regionScope,
    ...(demo ? { demo } : {}),
    municipalities: municipalities.map((m) => {
      const aliases = array(m.aliases);
      return {
        key: m.key,
        name: m.name,
        ...(aliases.length > 0 ? { aliases } : {}),
        ...(m.active ? {} : { active: false }),
      };
    }),
    centers: centerJson,
    queues: queueJson,
    rules: rules.map((r) => {
      const categories = array(r.categories);
      const flags = array(r.flags);
      return {
        key: r.key,
        ...(r.municipality ? { municipality: r.municipality.key } : {}),
        ...(categories.length > 0 ? { categories } : {}),
        ...(r.urgency !== null ? { urgency: r.urgency } : {}),
        ...(flags.length > 0 ? { flags } : {}),
        queue: r.queue.key,
        ...(r.priority !== 0 ? { priority: r.priority } : {}),
        ...(r.active ? {} : { active: false }),
        ...(r.note !== null ? { note: r.note } : {}),
      };
    }),
  } as RoutingFileJson;
}

/** The demo routing files shipped with the code: federal fallback first, then the regions. */
export const DEMO_ROUTING_FILES = [
  "federal.json",
  "67-smolensk.json",
  "72-tyumen.json",
  "63-samara.json",
  "54-novosibirsk.json",
].map((name) => fileURLToPath(new URL(`./demo/${name}`, import.meta.url)));

/** Reads and parses a routing file from disk; throws with every issue when it is not valid. */
export function readRoutingFile(path: string): RoutingFile {
  const parsed = parseRoutingFile(JSON.parse(readFileSync(path, "utf8")));
  if (parsed.type === "error") {
    throw new Error(`${path}: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
  return parsed.file;
}

/**
 * First start: when there are no centers at all, load the federal fallback and the four demo
 * regions (marked demo, fake phones) in one transaction. Returns whether it loaded anything.
 */
export async function loadDemoRoutingIfEmpty(db: Db, log: Logger, now: Date = new Date()): Promise<boolean> {
  if ((await db.center.count()) > 0) return false;
  const files = DEMO_ROUTING_FILES.map(readRoutingFile);
  const summaries = await db.$transaction(
    async (tx) => {
      // Re-checked inside the transaction so two processes starting together load it once.
      if ((await tx.center.count()) > 0) return null;
      const out: ImportSummary[] = [];
      for (const file of files) out.push(await applyRoutingFile(tx, file, { actor: "system:demo", now }));
      return out;
    },
    { timeout: 60_000 },
  );
  if (!summaries) return false;
  log.debug({ scopes: summaries.map((s) => s.scope) }, "demo routing files imported");
  return true;
}
