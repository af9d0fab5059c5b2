import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "../../src/db/client.ts";
import { createLogger } from "../../src/logging/logger.ts";
import { routeRequest } from "../../src/routing/engine.ts";
import { parseRoutingFile, type RoutingFile } from "../../src/routing/routing-file.ts";
import {
  DEMO_ROUTING_FILES,
  exportRoutingFile,
  importRoutingFile,
  loadDemoRoutingIfEmpty,
  loadRoutingSnapshot,
  readRoutingFile,
  UnknownRegionError,
} from "../../src/routing/routing-store.ts";
import { createTempDb, type TempDb } from "../helpers/temp-db.ts";

const log = createLogger({ level: "silent" });
const NOW = new Date("2026-11-25T12:00:00+04:00");
const demoFile = (suffix: string) => readRoutingFile(DEMO_ROUTING_FILES.find((f) => f.endsWith(suffix))!);

const temps: TempDb[] = [];
async function freshDb(): Promise<Db> {
  const t = await createTempDb();
  temps.push(t);
  return t.db;
}
afterEach(async () => {
  for (const t of temps.splice(0)) await t.cleanup();
});

/** Every routing row (and the audit log), for before/after comparisons. */
async function dumpRouting(db: Db) {
  return {
    municipalities: await db.municipality.findMany({ orderBy: { id: "asc" } }),
    centers: await db.center.findMany({ orderBy: { id: "asc" } }),
    queues: await db.queue.findMany({ orderBy: { id: "asc" } }),
    rules: await db.routingRule.findMany({ orderBy: { id: "asc" } }),
    audit: await db.auditLog.findMany({ orderBy: { id: "asc" } }),
  };
}

function parse(json: unknown): RoutingFile {
  const r = parseRoutingFile(json);
  if (r.type !== "ok") throw new Error(JSON.stringify(r.issues));
  return r.file;
}

/** A parsed file with every list sorted by key, to compare files regardless of order. */
function canonical(file: RoutingFile): RoutingFile {
  const byKey = <T extends { key: string }>(xs: T[]) => [...xs].sort((a, b) => a.key.localeCompare(b.key));
  return "federal" in file
    ? { ...file, centers: byKey(file.centers), queues: byKey(file.queues) }
    : {
        ...file,
        municipalities: byKey(file.municipalities),
        centers: byKey(file.centers),
        queues: byKey(file.queues),
        rules: byKey(file.rules),
      };
}

describe("demo routing data", () => {
  it("is loaded once, on an empty database, marked as demo and audited with counts only", async () => {
    const db = await freshDb();
    expect(await loadDemoRoutingIfEmpty(db, log, NOW)).toBe(true);
    expect(await loadDemoRoutingIfEmpty(db, log, NOW)).toBe(false);
    expect(await db.center.count({ where: { isDemo: false } })).toBe(0);
    expect(await db.center.count()).toBeGreaterThanOrEqual(12);
    const audit = await db.auditLog.findMany({ where: { action: "routing.import" }, orderBy: { id: "asc" } });
    expect(audit.map((a) => a.entityId)).toEqual(["federal", "67", "72", "63", "54"]);
    for (const a of audit) {
      expect(a).toMatchObject({ actorType: "system", actorId: "demo", at: NOW });
      const details = JSON.parse(a.details) as Record<string, unknown>;
      expect(Object.keys(details).sort()).toEqual([
        "centers",
        "deactivated",
        "demo",
        "municipalities",
        "queues",
        "rules",
        "scope",
      ]);
      expect(a.details).not.toMatch(/\+7|000/);
    }
  });

  it("routes from the database exactly as from the files", async () => {
    const db = await freshDb();
    await loadDemoRoutingIfEmpty(db, log);
    const snapshot = await loadRoutingSnapshot(db);
    expect(snapshot.warnings).toBeUndefined();
    const syzran = snapshot.municipalities.find((m) => m.key === "syzran")!;
    expect(syzran.aliases).toContain("Сызрани");
    const route = (
      regionCode: string,
      municipalityId: string | null,
      at: Date,
      urgency: "P1" | "P2" = "P1",
    ) =>
      routeRequest(snapshot, {
        regionCode,
        municipalityId,
        categories: ["housing"],
        urgency,
        flags: [],
        now: at,
      });
    expect(route("63", syzran.id, NOW).queue.key).toBe("samara-team-syzran");
    expect(route("63", syzran.id, new Date("2026-11-25T23:00:00+04:00")).queue.key).toBe(
      "samara-crisis-24x7",
    );
    expect(route("01", null, NOW).queue.key).toBe("federal-fallback");
  });
});

describe("importRoutingFile", () => {
  it("changes nothing when a file fails midway (all or nothing)", async () => {
    const db = await freshDb();
    await loadDemoRoutingIfEmpty(db, log);
    const before = await dumpRouting(db);
    // Valid on its own: renames a municipality, adds one, then takes a center key Smolensk owns.
    const json = JSON.parse(JSON.stringify(demoFile("63-samara.json")));
    json.municipalities[0].name = "Сызрань (переименована)";
    json.municipalities.push({ key: "novokuybyshevsk", name: "Новокуйбышевск" });
    json.centers[3].key = "smolensk-vyhod-est";
    json.queues.find((q: { center: string }) => q.center === "samara-team-oktyabrsk").center =
      "smolensk-vyhod-est";
    const result = await importRoutingFile(db, parse(json), { actor: "cli", now: NOW });
    expect(result).toEqual({
      type: "error",
      issues: [
        {
          path: "centers[3].key",
          code: "duplicate_key",
          message: 'center key "smolensk-vyhod-est" already belongs to region 67',
        },
      ],
    });
    expect(await dumpRouting(db)).toEqual(before);
  });

  it("refuses a queue key of another region and an unknown region, changing nothing", async () => {
    const db = await freshDb();
    await loadDemoRoutingIfEmpty(db, log);
    const before = await dumpRouting(db);
    const json = JSON.parse(JSON.stringify(demoFile("63-samara.json")));
    json.queues[5].key = "tyumen-rehab";
    json.rules.find((r: { queue: string }) => r.queue === "samara-team-shigony-district").queue =
      "tyumen-rehab";
    expect(await importRoutingFile(db, parse(json), { actor: "cli" })).toMatchObject({
      type: "error",
      issues: [{ path: "queues[5].key", code: "duplicate_key" }],
    });
    const unknownRegion = parseRoutingFile(
      { ...json, region: "99" },
      { regions: [{ code: "99", name: "X", timezone: "Europe/Moscow" }] },
    );
    if (unknownRegion.type !== "ok") throw new Error("expected the test file to parse");
    expect(await importRoutingFile(db, unknownRegion.file, { actor: "cli" })).toMatchObject({
      type: "error",
      issues: [{ path: "region", code: "unknown_region" }],
    });
    expect(await dumpRouting(db)).toEqual(before);
  });

  it("deactivates what a new version of the file no longer has, and routes accordingly", async () => {
    const db = await freshDb();
    await loadDemoRoutingIfEmpty(db, log);
    const json = JSON.parse(JSON.stringify(demoFile("63-samara.json")));
    json.rules = json.rules.filter((r: { key: string }) => r.key !== "shigony-district-all");
    json.queues = json.queues.filter((q: { key: string }) => q.key !== "samara-team-shigony-district");
    json.centers = json.centers.filter((c: { key: string }) => c.key !== "samara-team-shigony-district");
    const result = await importRoutingFile(db, parse(json), { actor: "staff:admin-1", now: NOW });
    expect(result).toMatchObject({
      type: "ok",
      summary: { scope: "63", rules: 4, deactivated: { rules: 1, queues: 1, centers: 1, municipalities: 0 } },
    });
    const snapshot = await loadRoutingSnapshot(db);
    const shigony = snapshot.municipalities.find((m) => m.key === "shigony-district")!;
    const d = routeRequest(snapshot, {
      regionCode: "63",
      municipalityId: shigony.id,
      categories: ["housing"],
      urgency: "P2",
      flags: [],
      now: NOW,
    });
    expect([d.reason, d.queue.key]).toEqual(["region_default", "samara-default"]);
    const exported = parse(await exportRoutingFile(db, "63"));
    if ("federal" in exported) throw new Error("expected a region file");
    expect(exported.rules.find((r) => r.key === "shigony-district-all")?.active).toBe(false);
    const audit = await db.auditLog.findFirst({ where: { action: "routing.import", actorType: "staff" } });
    expect(audit).toMatchObject({ actorId: "admin-1", entityId: "63", regionCode: "63" });
  });
});

describe("exportRoutingFile", () => {
  it("round-trips: import → export → import → export is lossless", async () => {
    const first = await freshDb();
    await loadDemoRoutingIfEmpty(first, log);
    const second = await freshDb();
    for (const scope of ["federal", "67", "72", "63", "54"]) {
      const exported = await exportRoutingFile(first, scope);
      const original = demoFile(
        scope === "federal"
          ? "federal.json"
          : `${scope}-${{ "67": "smolensk", "72": "tyumen", "63": "samara", "54": "novosibirsk" }[scope]}.json`,
      );
      // Nothing lost against the original file, only reordered by key.
      expect(canonical(parse(exported))).toEqual(canonical(original));
      // Into another database and back out: identical JSON.
      expect(await importRoutingFile(second, parse(exported), { actor: "cli" })).toMatchObject({
        type: "ok",
      });
      expect(await exportRoutingFile(second, scope)).toEqual(exported);
    }
    // Re-importing its own export into the same database changes no row.
    const before = await dumpRouting(first);
    expect(
      await importRoutingFile(first, parse(await exportRoutingFile(first, "63")), { actor: "cli" }),
    ).toMatchObject({ type: "ok" });
    const after = await dumpRouting(first);
    const strip = <T extends { updatedAt?: Date }>(rows: T[]) =>
      rows.map(({ updatedAt: _u, ...rest }) => rest);
    expect(strip(after.rules)).toEqual(strip(before.rules));
    expect(strip(after.queues)).toEqual(strip(before.queues));
    expect(strip(after.centers)).toEqual(strip(before.centers));
    expect(after.municipalities).toEqual(before.municipalities);
  });

  it("exports an empty file for a region without data and refuses an unknown code", async () => {
    const db = await freshDb();
    expect(await exportRoutingFile(db, "01")).toEqual({
      version: 1,
      region: "01",
      municipalities: [],
      centers: [],
      queues: [],
      rules: [],
    });
    await expect(exportRoutingFile(db, "99")).rejects.toBeInstanceOf(UnknownRegionError);
  });
});

describe("loadRoutingSnapshot", () => {
  it("skips a rule whose stored JSON is unreadable and says so", async () => {
    const db = await freshDb();
    await loadDemoRoutingIfEmpty(db, log);
    await db.routingRule.updateMany({ where: { key: "addiction-rehab" }, data: { categories: "[not json" } });
    const snapshot = await loadRoutingSnapshot(db);
    expect(snapshot.warnings).toEqual(["rule 72/addiction-rehab: unreadable conditions, rule skipped"]);
    expect(snapshot.rules.find((r) => r.key === "addiction-rehab")?.active).toBe(false);
    const d = routeRequest(snapshot, {
      regionCode: "72",
      municipalityId: null,
      categories: ["addiction"],
      urgency: "P2",
      flags: [],
      now: NOW,
    });
    expect(d.queue.key).toBe("tyumen-default");
  });
});
