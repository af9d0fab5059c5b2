// The routing file: one region's municipalities, centers, queues and rules as JSON (or the
// federal file with the fallback center and queue). Validated by zod plus cross-reference and
// consistency checks; every problem points at the exact entry, e.g. `rules[3].queue`.
import { isPossiblePhoneNumber } from "libphonenumber-js";
import { z } from "zod";
import { CATEGORIES, FLAGS, URGENCIES } from "../domain/taxonomy.ts";
import { readRegionsCsv } from "../db/seed-regions.ts";
import type { RoutingSnapshot } from "./types.ts";
import {
  ENTITY_COLLECTION,
  FEDERAL_SCOPE,
  type RoutingEntityKind,
  type RoutingIssue,
  validateRoutingSnapshot,
} from "./validate-rules.ts";
import { isValidTimezone, parseHhMm, WEEKDAYS } from "./working-hours.ts";

const quote = (x: unknown) => JSON.stringify(x);

const key = z.string({ error: "must be a string key" }).regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, {
  error: (iss) => `invalid key ${quote(iss.input)}: use 1–64 lowercase latin letters, digits, "-" or "_"`,
});
const text = z.string().trim().min(1, { error: "must not be empty" }).max(300);

const hhmm = z.string().refine((s) => Number.isFinite(parseHhMm(s)), {
  error: (iss) => `invalid time ${quote(iss.input)}: expected "HH:MM" (00:00–24:00)`,
});
const interval = z.tuple([hhmm, hhmm]).refine(([from, to]) => parseHhMm(from) < parseHhMm(to), {
  error: (iss) =>
    `interval ${quote(iss.input)} must start before it ends (split overnight hours over two days)`,
});
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, {
  error: (iss) => `invalid date ${quote(iss.input)}: expected "YYYY-MM-DD"`,
});
/**
 * A center's weekly hours: day → [from, to) intervals in the region's local time, plus whole days
 * off: its own closures (`closed`) and the region's public holidays it keeps (`holidays`).
 */
export const hoursSchema = z.strictObject({
  ...(Object.fromEntries(WEEKDAYS.map((d) => [d, z.array(interval).optional()])) as Record<
    (typeof WEEKDAYS)[number],
    z.ZodOptional<z.ZodArray<typeof interval>>
  >),
  closed: z.array(isoDay).max(400).optional(),
  holidays: z.array(isoDay).max(400).optional(),
});

// A number of a possible length for its country (libphonenumber; Russian without +7 too): «12345» is
// refused, while the demo files' fake "+7 000 000-63-00" still passes (the web form asks for valid).
const phone = z
  .string()
  .regex(/^\+?[0-9][0-9 ()-]{4,24}$/, { error: (iss) => `invalid phone ${quote(iss.input)}` })
  .refine((s) => isPossiblePhoneNumber(s, "RU"), { error: (iss) => `invalid phone ${quote(iss.input)}` });

const municipalitySchema = z.strictObject({
  key,
  name: text,
  aliases: z.array(text).default([]),
  active: z.boolean().default(true),
});

const centerFields = {
  key,
  name: text,
  kind: key.default("crisis_center"),
  publicPhone: phone,
  address: text.optional(),
  website: z.url({ error: (iss) => `invalid URL ${quote(iss.input)}` }).optional(),
  hours: hoursSchema,
  is24x7: z.boolean().default(false),
  active: z.boolean().default(true),
};
const centerSchema = z.strictObject({ ...centerFields, municipality: key.optional() });
const federalCenterSchema = z.strictObject(centerFields);

const queueFields = {
  key,
  center: key,
  name: text,
  default: z.boolean().default(false),
  active: z.boolean().default(true),
};
const queueSchema = z.strictObject(queueFields);
const federalQueueSchema = z.strictObject({ ...queueFields, fallback: z.boolean().default(false) });

const ruleSchema = z.strictObject({
  key,
  municipality: key.optional(),
  categories: z
    .array(z.enum(CATEGORIES, { error: (iss) => `unknown category ${quote(iss.input)}` }))
    .default([]),
  urgency: z
    .enum(URGENCIES, { error: (iss) => `unknown urgency ${quote(iss.input)} (expected P0–P3)` })
    .optional(),
  flags: z.array(z.enum(FLAGS, { error: (iss) => `unknown flag ${quote(iss.input)}` })).default([]),
  queue: key,
  priority: z.number().int().min(-1000).max(1000).default(0),
  active: z.boolean().default(true),
  note: z.string().max(1000).optional(),
});

export const regionRoutingFileSchema = z.strictObject({
  version: z.literal(1, { error: "unsupported version: expected 1" }),
  region: z
    .string()
    .regex(/^\d{2}$/, { error: (iss) => `invalid region code ${quote(iss.input)}: expected two digits` }),
  demo: z.boolean().optional(),
  municipalities: z.array(municipalitySchema).default([]),
  centers: z.array(centerSchema).default([]),
  queues: z.array(queueSchema).default([]),
  rules: z.array(ruleSchema).default([]),
});

export const federalRoutingFileSchema = z.strictObject({
  version: z.literal(1, { error: "unsupported version: expected 1" }),
  federal: z.literal(true),
  demo: z.boolean().optional(),
  centers: z.array(federalCenterSchema).default([]),
  queues: z.array(federalQueueSchema).default([]),
});

/** A parsed file, defaults filled in. */
export type RegionRoutingFile = z.output<typeof regionRoutingFileSchema>;
export type FederalRoutingFile = z.output<typeof federalRoutingFileSchema>;
export type RoutingFile = RegionRoutingFile | FederalRoutingFile;
/** The JSON as written (defaults may be omitted): what export produces. */
export type RoutingFileJson =
  | z.input<typeof regionRoutingFileSchema>
  | z.input<typeof federalRoutingFileSchema>;

export function isFederalFile(file: RoutingFile): file is FederalRoutingFile {
  return "federal" in file;
}

/** Code, name and timezone of a region, as the seed knows them. */
export interface RegionInfo {
  code: string;
  name: string;
  timezone: string;
}

let csvRegions: RegionInfo[] | undefined;
/** The 89 regions of prisma/regions.csv (read once). */
export function knownRegions(): RegionInfo[] {
  csvRegions ??= readRegionsCsv().map(({ code, name, timezone }) => ({ code, name, timezone }));
  return csvRegions;
}

export type ParseRoutingFileResult =
  | { type: "ok"; file: RoutingFile }
  | { type: "error"; issues: RoutingIssue[] };

export interface ParseRoutingFileOptions {
  /** Regions a file may name; defaults to the seeded list. */
  regions?: RegionInfo[];
}

/** `["rules", 3, "queue"]` → `rules[3].queue`; the root is "(file)". */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) out += typeof seg === "number" ? `[${seg}]` : `${out ? "." : ""}${String(seg)}`;
  return out || "(file)";
}

export function parseRoutingFile(
  json: unknown,
  options: ParseRoutingFileOptions = {},
): ParseRoutingFileResult {
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    return {
      type: "error",
      issues: [{ path: "(file)", code: "invalid_file", message: "expected a JSON object", text: { id: "not-object" } }],
    };
  }
  const parsed =
    "federal" in json ? federalRoutingFileSchema.safeParse(json) : regionRoutingFileSchema.safeParse(json);
  const schemaIssues = parsed.success
    ? []
    : parsed.error.issues.flatMap((i): RoutingIssue[] =>
        i.code === "unrecognized_keys"
          ? i.keys.map((k) => ({
              path: formatPath([...i.path, k]),
              code: "invalid_file",
              message: `unknown field ${quote(k)}`,
              text: { id: "unknown-field", args: { field: k } },
            }))
          : [
              {
                path: formatPath(i.path),
                code: "invalid_file",
                message:
                  i.code === "invalid_type" && /received undefined/.test(i.message)
                    ? "is required"
                    : i.message,
                text: schemaIssueText(i, json),
              },
            ],
      );
  const regions = options.regions ?? knownRegions();
  const reported = new Set(schemaIssues.map((i) => i.path));
  const referenceIssues = checkReferences(json as Loose, regions).filter((i) => !reported.has(i.path));
  if (!parsed.success || referenceIssues.length > 0)
    return { type: "error", issues: [...schemaIssues, ...referenceIssues] };
  const file = parsed.data;
  const consistency = validateRoutingSnapshot(
    fileToSnapshot(file, regions),
    isFederalFile(file) ? FEDERAL_SCOPE : file.region,
  ).map((i) => locateInFile(file, i));
  return consistency.length > 0 ? { type: "error", issues: consistency } : { type: "ok", file };
}

/** The value at a zod issue's path in the raw JSON, shortened for a message. */
function valueAt(json: unknown, path: readonly PropertyKey[]): string {
  let v: unknown = json;
  for (const seg of path) v = typeof v === "object" && v !== null ? (v as Record<PropertyKey, unknown>)[seg] : undefined;
  const s = typeof v === "string" ? v : JSON.stringify(v) ?? "";
  return s.length > 60 ? `${s.slice(0, 59)}…` : s;
}

/** A stable id and values for a schema problem (see RoutingIssue.text), from the field it is in. */
function schemaIssueText(i: z.core.$ZodIssue, json: unknown): { id: string; args?: Record<string, string | number> } {
  const value = valueAt(json, i.path);
  const field = String([...i.path].reverse().find((p) => typeof p === "string") ?? "");
  const inHours = i.path.includes("hours");
  if (i.code === "invalid_type") return value === "" ? { id: "required" } : { id: "wrong-type", args: { value } };
  if (i.code === "too_small") return { id: "empty" };
  if (i.code === "too_big") return { id: "too-big", args: { max: Number(i.maximum) } };
  if (inHours && (field === "closed" || field === "holidays")) return { id: "invalid-date", args: { value } };
  if (inHours) return hoursText(i, value);
  const byField: Record<string, string> = {
    key: "invalid-key", center: "invalid-key", queue: "invalid-key", municipality: "invalid-key", kind: "invalid-key",
    publicPhone: "invalid-phone", website: "invalid-url", region: "invalid-region", version: "unsupported-version",
    categories: "unknown-category", urgency: "unknown-urgency", flags: "unknown-flag", federal: "wrong-type",
  };
  return { id: byField[field] ?? "invalid-value", args: { value, field } };
}

/** Problems inside `hours`: a bad "HH:MM", or an interval that does not start before it ends. */
function hoursText(i: z.core.$ZodIssue, value: string): { id: string; args?: Record<string, string | number> } {
  return i.code === "custom" && value.startsWith("[") ? { id: "interval-order", args: { value } } : { id: "invalid-time", args: { value } };
}

/** Rewrites an issue's key-based path (`rules[syzran-all]`) into a file position (`rules[3]`). */
export function locateInFile(file: RoutingFile, issue: RoutingIssue): RoutingIssue {
  if (!issue.entity) return issue;
  const list = entitiesOf(file, issue.entity.kind);
  const index = list.findIndex((x) => x.key === issue.entity!.key);
  if (index < 0) return issue;
  const field = issue.entity.field ? `.${issue.entity.field}` : "";
  return { ...issue, path: `${ENTITY_COLLECTION[issue.entity.kind]}[${index}]${field}` };
}

function entitiesOf(file: RoutingFile, kind: RoutingEntityKind): { key: string }[] {
  if (kind === "center") return file.centers;
  if (kind === "queue") return file.queues;
  if (isFederalFile(file)) return [];
  return kind === "rule" ? file.rules : file.municipalities;
}

type Loose = Record<string, unknown>;
const isObject = (x: unknown): x is Loose => typeof x === "object" && x !== null && !Array.isArray(x);
const stringAt = (o: Loose, k: string) => (typeof o[k] === "string" ? (o[k] as string) : undefined);

/**
 * Keys and references between entries: duplicate keys, unknown region, municipality, center or
 * queue. Works on the raw JSON, so it reports alongside the schema's problems rather than after
 * them; what has the wrong type here is left to the schema.
 */
function checkReferences(json: Loose, regions: RegionInfo[]): RoutingIssue[] {
  const issues: RoutingIssue[] = [];
  const add = (path: string, code: RoutingIssue["code"], message: string, text?: RoutingIssue["text"]) =>
    issues.push({ path, code, message, ...(text ? { text } : {}) });
  const entries = (kind: RoutingEntityKind): [number, Loose][] => {
    const list = json[ENTITY_COLLECTION[kind]];
    return Array.isArray(list)
      ? list.flatMap((x, i): [number, Loose][] => (isObject(x) ? [[i, x]] : []))
      : [];
  };
  const keysOf = (kind: RoutingEntityKind) => {
    const first = new Map<string, number>();
    for (const [i, x] of entries(kind)) {
      const key = stringAt(x, "key");
      if (key === undefined) continue;
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, i);
      else {
        const name = ENTITY_COLLECTION[kind];
        add(
          `${name}[${i}].key`,
          "duplicate_key",
          `duplicate ${kind} key ${quote(key)} (also ${name}[${earlier}])`,
          { id: "duplicate-key", args: { key, other: `${name}[${earlier}]` } },
        );
      }
    }
    return first;
  };
  const centers = keysOf("center");
  const queues = keysOf("queue");

  if (!("federal" in json)) {
    const code = stringAt(json, "region");
    const region = regions.find((r) => r.code === code);
    if (code !== undefined && /^\d{2}$/.test(code) && !region)
      add("region", "unknown_region", `unknown region ${quote(code)}`, { id: "unknown-region", args: { value: code } });
    else if (region && !isValidTimezone(region.timezone)) {
      add(
        "region",
        "unknown_region",
        `region ${region.code} has an unknown timezone ${quote(region.timezone)}`,
        { id: "region-timezone", args: { region: region.code, value: region.timezone } },
      );
    }
    const municipalities = keysOf("municipality");
    const municipalityList = json.municipalities as unknown[];
    keysOf("rule");
    const municipalityRef = (path: string, entry: Loose) => {
      const ref = stringAt(entry, "municipality");
      if (ref === undefined) return;
      const i = municipalities.get(ref);
      if (i === undefined) add(path, "unknown_municipality", `unknown municipality ${quote(ref)}`, { id: "unknown-municipality", args: { key: ref } });
      else if (entry.active !== false && (municipalityList[i] as Loose).active === false) {
        add(path, "unknown_municipality", `municipality ${quote(ref)} is inactive`, { id: "inactive-municipality", args: { key: ref } });
      }
    };
    for (const [i, c] of entries("center")) municipalityRef(`centers[${i}].municipality`, c);
    for (const [i, r] of entries("rule")) {
      municipalityRef(`rules[${i}].municipality`, r);
      const queue = stringAt(r, "queue");
      if (queue !== undefined && !queues.has(queue))
        add(`rules[${i}].queue`, "missing_queue", `unknown queue ${quote(queue)}`, { id: "unknown-queue", args: { key: queue } });
    }
  }
  for (const [i, q] of entries("queue")) {
    const center = stringAt(q, "center");
    if (center !== undefined && !centers.has(center)) {
      add(`queues[${i}].center`, "missing_center", `unknown center ${quote(center)}`, { id: "unknown-center", args: { key: center } });
    }
  }
  return issues;
}

/**
 * The routing data a file describes, as a snapshot (ids derived from keys), so a file can be
 * checked and routed against without a database.
 */
export function fileToSnapshot(file: RoutingFile, regions: RegionInfo[] = knownRegions()): RoutingSnapshot {
  const regionCode = isFederalFile(file) ? null : file.region;
  const scope = regionCode ?? FEDERAL_SCOPE;
  const municipalityId = (k: string | undefined) => (k === undefined ? null : `m:${scope}:${k}`);
  return {
    regions: regions.map(({ code, name, timezone }) => ({ code, name, timezone })),
    municipalities: isFederalFile(file)
      ? []
      : file.municipalities
          .filter((m) => m.active)
          .map((m) => ({
            id: municipalityId(m.key)!,
            key: m.key,
            regionCode: file.region,
            name: m.name,
            aliases: m.aliases,
          })),
    centers: file.centers.map((c) => ({
      id: `c:${c.key}`,
      key: c.key,
      name: c.name,
      regionCode,
      municipalityId: municipalityId((c as { municipality?: string }).municipality),
      publicPhone: c.publicPhone,
      hours: c.hours,
      is24x7: c.is24x7,
      active: c.active,
    })),
    queues: file.queues.map((q) => ({
      id: `q:${q.key}`,
      key: q.key,
      name: q.name,
      centerId: `c:${q.center}`,
      isDefault: q.default,
      isFallback: (q as { fallback?: boolean }).fallback ?? false,
      active: q.active,
    })),
    rules: isFederalFile(file)
      ? []
      : file.rules.map((r) => ({
          id: `r:${scope}:${r.key}`,
          key: r.key,
          regionCode: file.region,
          municipalityId: municipalityId(r.municipality),
          categories: r.categories,
          urgency: r.urgency ?? null,
          flags: r.flags,
          queueId: `q:${r.queue}`,
          priority: r.priority,
          active: r.active,
        })),
  };
}

/** Several files (e.g. federal + regions) as one snapshot. */
export function filesToSnapshot(
  files: RoutingFile[],
  regions: RegionInfo[] = knownRegions(),
): RoutingSnapshot {
  const parts = files.map((f) => fileToSnapshot(f, regions));
  return {
    regions: regions.map(({ code, name, timezone }) => ({ code, name, timezone })),
    municipalities: parts.flatMap((p) => p.municipalities),
    centers: parts.flatMap((p) => p.centers),
    queues: parts.flatMap((p) => p.queues),
    rules: parts.flatMap((p) => p.rules),
  };
}
