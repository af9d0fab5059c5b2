// Regional admin: users of the region, the region's audit log, statistics (+ CSV without personal data).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createStaffUser } from "../../auth/users.ts";
import { CATEGORIES, URGENCIES } from "../../domain/taxonomy.ts";
import { DEFAULT_WEEKS, PERIOD_WEEKS, type PeriodWeeks, type RegionStats, regionStats } from "../../requests/stats-repository.ts";
import { horizontalBars, stackedColumns } from "../svg-charts.ts";
import { type AdminDeps, notFound, parseJsonObject, renderPage } from "../web-context.ts";
import { requireRegionAdmin } from "./admin-scope.ts";
import { writeAudit } from "../../audit/write-audit.ts";
import type { Db } from "../../db/client.ts";
import { isIsoDay } from "../hours-form.ts";
import { looksLikeMarkup } from "../phone-field.ts";
import { type Holiday, regionHolidays, shippedHolidays, sortHolidays, syncCenterHolidays } from "../public-holidays.ts";
import { auditAdmin } from "./admin-scope.ts";

const statsQuery = z.object({ weeks: z.coerce.number().pipe(z.union(PERIOD_WEEKS.map((w) => z.literal(w)))).default(DEFAULT_WEEKS) });

function csvCell(v: string | number): string {
  const s = String(v);
  // Quote always, and defuse spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replaceAll('"', '""')}"`;
}

/**
 * The statistics as long CSV rows (region, dimension, key, subkey, value): counts and minutes only.
 * No family data exists here; operators appear by their internal id, not by name.
 */
export function statsCsv(regionCode: string, s: RegionStats): string {
  const lines: (string | number)[][] = [["region", "dimension", "key", "subkey", "value"]];
  const add = (dimension: string, key: string, subkey: string, value: number | null) =>
    lines.push([regionCode, dimension, key, subkey, value === null ? "" : Math.round(value * 10) / 10]);
  add("period", s.period.firstDay, s.period.lastDay, s.period.weeks);
  add("total", "all", "", s.total);
  for (const u of URGENCIES) add("urgency", u, "", s.byUrgency[u]);
  for (const c of CATEGORIES) add("category", c, "", s.byCategory[c]);
  for (const [k, v] of Object.entries(s.byStatus)) add("status", k, "", v);
  for (const [dimension, buckets] of [["day", s.days], ["week", s.weeks]] as const) {
    for (const b of buckets) {
      add(`${dimension}_total`, b.key, "", b.total);
      for (const u of URGENCIES) add(`${dimension}_urgency`, b.key, u, b.byUrgency[u]);
      for (const c of CATEGORIES) add(`${dimension}_category`, b.key, c, b.byCategory[c]);
    }
  }
  for (const c of s.contact) {
    add("first_contact_median_minutes", c.urgency, "", c.medianMinutes);
    add("first_contact_p90_minutes", c.urgency, "", c.p90Minutes);
    add("first_contact_count", c.urgency, "", c.contacted);
    add("promised_minutes_avg", c.urgency, "", c.promisedMinutes);
    add("promise_kept", c.urgency, "", c.kept);
    add("promise_late", c.urgency, "", c.late);
  }
  for (const c of s.centers) {
    for (const k of ["total", "open", "kept", "late", "pending"] as const) add("center", c.name, k, c[k]);
  }
  for (const o of s.operators) {
    for (const k of ["assigned", "open", "contacted"] as const) add("operator", o.staffId, k, o[k]);
  }
  for (const [i, n] of (s.rating?.counts ?? []).entries()) add("did_this_help", String(i + 1), "", n);
  return `${lines.map((l) => l.map(csvCell).join(",")).join("\r\n")}\r\n`;
}

type HolidayRow = { date: string; name: string; error?: string };

/** The holiday rows of the form (date[] and name[] side by side); a row without a date is dropped. */
export function parseHolidayRows(body: Record<string, unknown>): { type: "ok"; list: Holiday[] } | { type: "error"; rows: HolidayRow[] } {
  const arr = (v: unknown) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
  const dates = arr(body.date);
  const names = arr(body.name);
  const rows: HolidayRow[] = [];
  let bad = dates.length > 400 || names.length > 400;
  const seen = new Set<string>();
  for (let i = 0; i < Math.min(Math.max(dates.length, names.length), 400); i++) {
    const rawDate = dates[i];
    const rawName = names[i];
    const date = typeof rawDate === "string" ? rawDate.trim() : "";
    const name = typeof rawName === "string" ? rawName.trim() : "";
    let error: string | undefined;
    if ((rawDate !== undefined && typeof rawDate !== "string") || (rawName !== undefined && typeof rawName !== "string")) error = "web-err-invalid";
    else if (date === "" && name === "") continue;
    else if (date === "") error = "web-err-required";
    else if (!isIsoDay(date)) error = "web-err-date";
    else if (seen.has(date)) error = "web-err-date-duplicate";
    else if (name === "") error = "web-err-required";
    else if (name.length > 200) error = "web-err-too-long";
    else if (looksLikeMarkup(name)) error = "web-err-markup";
    if (date) seen.add(date);
    if (error) bad = true;
    rows.push({ date, name, ...(error ? { error } : {}) });
  }
  if (bad) return { type: "error", rows };
  return { type: "ok", list: sortHolidays(rows.map(({ date, name }) => ({ date, name }))) };
}

/** How an audit row's object is shown: a kind (translated in the view), a name, and a link when there is a page. */
export interface AuditEntity {
  kind: string;
  name: string | null;
  href: string | null;
}

/**
 * Names and links for the objects of audit rows, looked up in a few queries per page. Centers,
 * queues, municipalities and rules are written by key (or id); requests by number or id; staff by
 * id; families' pseudonymous ids are never shown.
 */
async function auditEntities(
  db: Db,
  regionCode: string,
  rows: { entityType: string; entityId: string; requestId: number | null }[],
): Promise<(r: { entityType: string; entityId: string; requestId: number | null }) => AuditEntity> {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.entityType === type).map((r) => r.entityId))];
  const requestIds = [...new Set(rows.map((r) => r.requestId).filter((x): x is number => x !== null))];
  const requestKeys = ids("request");
  const [centers, queues, municipalities, rules, staff, requests] = await Promise.all([
    db.center.findMany({ where: { OR: [{ key: { in: ids("center") } }, { id: { in: ids("center") } }] }, select: { id: true, key: true, name: true, regionCode: true } }),
    db.queue.findMany({ where: { OR: [{ key: { in: ids("queue") } }, { id: { in: ids("queue") } }] }, select: { id: true, key: true, name: true } }),
    db.municipality.findMany({ where: { regionCode, OR: [{ key: { in: ids("municipality") } }, { id: { in: ids("municipality") } }] }, select: { id: true, key: true, name: true } }),
    db.routingRule.findMany({ where: { regionCode, OR: [{ key: { in: ids("rule") } }, { id: { in: ids("rule") } }] }, select: { id: true, key: true, note: true } }),
    db.staffUser.findMany({ where: { id: { in: ids("staff_user") } }, select: { id: true, name: true } }),
    db.request.findMany({
      where: {
        OR: [{ id: { in: [...requestIds, ...requestKeys.filter((k) => /^\d+$/.test(k)).map(Number)] } }, { number: { in: requestKeys } }],
      },
      select: { id: true, number: true },
    }),
  ]);
  const byKeyOrId = <T extends { id: string; key: string }>(list: T[]) => {
    const m = new Map<string, T>();
    for (const x of list) {
      m.set(x.key, x);
      m.set(x.id, x);
    }
    return m;
  };
  const c = byKeyOrId(centers);
  const qm = byKeyOrId(queues);
  const mm = byKeyOrId(municipalities);
  const rm = byKeyOrId(rules);
  const sm = new Map(staff.map((x) => [x.id, x.name]));
  const reqById = new Map(requests.map((x) => [x.id, x]));
  const reqByNumber = new Map(requests.map((x) => [x.number, x]));
  const base = `/admin/${regionCode}`;
  return (r) => {
    switch (r.entityType) {
      case "center": {
        const x = c.get(r.entityId);
        return { kind: "center", name: x?.name ?? null, href: x && x.regionCode === regionCode ? `${base}/centers/${x.id}` : null };
      }
      case "queue": {
        const x = qm.get(r.entityId);
        return { kind: "queue", name: x?.name ?? null, href: x ? `${base}/queues/${x.id}` : null };
      }
      case "municipality": {
        const x = mm.get(r.entityId);
        return { kind: "municipality", name: x?.name ?? null, href: x ? `${base}/municipalities/${x.id}` : null };
      }
      case "rule": {
        const x = rm.get(r.entityId);
        return { kind: "rule", name: x ? (x.note ?? x.key) : null, href: x ? `${base}/rules/${x.id}` : null };
      }
      case "staff_user":
        return { kind: "staff_user", name: sm.get(r.entityId) ?? null, href: sm.has(r.entityId) ? `${base}/users` : null };
      case "request": {
        const x = (r.requestId !== null ? reqById.get(r.requestId) : undefined) ?? reqByNumber.get(r.entityId) ?? (/^\d+$/.test(r.entityId) ? reqById.get(Number(r.entityId)) : undefined);
        return { kind: "request", name: x?.number ?? null, href: x ? `/requests/${encodeURIComponent(x.number)}` : null };
      }
      case "routing_file":
        return { kind: "routing_file", name: null, href: `${base}/routing-file` };
      case "region":
        return { kind: "region", name: null, href: `${base}/holidays` };
      default:
        // Consent, conversation and anything new: the kind only (their ids are pseudonyms of families).
        return { kind: r.entityType, name: null, href: null };
    }
  };
}

const auditQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1) });
const PAGE = 100;

export function registerInsightRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;

  const usersOfRegion = (regionCode: string) => ({
    OR: [{ regionCode }, { memberships: { some: { center: { regionCode } } } }],
  });

  async function showUsers(
    req: FastifyRequest,
    reply: FastifyReply,
    form: { values?: Record<string, unknown>; error?: string } = {},
    status = 200,
  ) {
    const { region, staff } = await requireRegionAdmin(deps, req);
    const [users, centers] = await Promise.all([
      db.staffUser.findMany({
        where: usersOfRegion(region.code),
        include: { memberships: { include: { center: true } } },
        orderBy: [{ role: "asc" }, { name: "asc" }],
      }),
      db.center.findMany({ where: { regionCode: region.code, active: true }, orderBy: { name: "asc" } }),
    ]);
    return renderPage(deps, req, reply, "admin-users", { region, users, centers, me: staff.id, form }, status);
  }

  app.get("/admin/:region/users", (req, reply) => showUsers(req, reply));

  // A regional admin adds operators of the region's centers (the first superadmin comes from the CLI).
  const newOperatorForm = z.object({
    name: z.string().trim().min(1).max(200),
    email: z.string().trim().toLowerCase().email().max(200),
    password: z.string().min(10).max(200),
    centerIds: z.preprocess((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]), z.array(z.string().max(64)).min(1).max(50)),
  });
  app.post("/admin/:region/users", { preHandler: app.csrfProtection }, async (req, reply) => {
    const { region, staff } = await requireRegionAdmin(deps, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = { name: body.name, email: body.email };
    const f = newOperatorForm.safeParse(body);
    if (!f.success) {
      const field = String(f.error.issues[0]?.path[0] ?? "name");
      return showUsers(req, reply, { values, error: `web-user-error-${field}` }, 400);
    }
    const centers = await db.center.findMany({ where: { id: { in: f.data.centerIds }, regionCode: region.code, active: true } });
    if (centers.length !== f.data.centerIds.length) return showUsers(req, reply, { values, error: "web-user-error-centerIds" }, 400);
    const created = await createStaffUser(
      db,
      { email: f.data.email, password: f.data.password, name: f.data.name, role: "operator", centerKeys: centers.map((c) => c.key) },
      { type: "staff", id: staff.id },
    );
    if (created.type !== "created") {
      return showUsers(req, reply, { values, error: created.type === "exists" ? "web-user-error-exists" : "web-user-error-name" }, 400);
    }
    return reply.redirect(`/admin/${region.code}/users`, 303);
  });

  // Deactivation ends access at once (the session is checked against the account on every request).
  const activeForm = z.object({ active: z.enum(["true", "false"]) });
  app.post("/admin/:region/users/:id/active", { preHandler: app.csrfProtection }, async (req, reply) => {
    const { region, staff } = await requireRegionAdmin(deps, req);
    const id = String((req.params as { id?: unknown }).id ?? "");
    const f = activeForm.safeParse(req.body ?? {});
    const user = await db.staffUser.findFirst({ where: { id, ...usersOfRegion(region.code) } });
    // Only accounts of this region, never a superadmin, never oneself.
    if (!f.success || !user || user.role === "superadmin" || user.id === staff.id) throw notFound();
    const active = f.data.active === "true";
    await db.$transaction(async (tx) => {
      await tx.staffUser.update({ where: { id: user.id }, data: { active } });
      await writeAudit(tx, {
        at: deps.clock(),
        actor: { type: "staff", id: staff.id },
        action: active ? "staff.activate" : "staff.deactivate",
        entityType: "staff_user",
        entityId: user.id,
        regionCode: region.code,
      });
    });
    return reply.redirect(`/admin/${region.code}/users`, 303);
  });

  app.get("/admin/:region/audit", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const q = auditQuery.safeParse(req.query ?? {});
    const page = q.success ? q.data.page : 1;
    const rows = await db.auditLog.findMany({
      where: { regionCode: region.code },
      orderBy: { id: "desc" },
      skip: (page - 1) * PAGE,
      take: PAGE + 1,
    });
    const shown = rows.slice(0, PAGE);
    const entities = await auditEntities(db, region.code, shown);
    const actorIds = [...new Set(shown.map((r) => r.actorId).filter((x): x is string => !!x))];
    const names = new Map((await db.staffUser.findMany({ where: { id: { in: actorIds } }, select: { id: true, name: true } })).map((u) => [u.id, u.name]));
    return renderPage(deps, req, reply, "admin-audit", {
      region,
      has: (key: string) => deps.i18n.has("ru", key),
      page,
      hasMore: rows.length > PAGE,
      rows: shown.map((r) => ({
        ...r,
        // A staff member by name; otherwise who in words (family, system, command line) — never an id.
        actor: r.actorType === "staff" && r.actorId ? { name: names.get(r.actorId) ?? null, type: "staff" } : { name: null, type: r.actorType },
        entity: entities(r),
        details: parseJsonObject(r.details),
      })),
    });
  });

  // ── public holidays and days off of the region (shipped list, editable; see public-holidays.ts) ──
  async function showHolidays(
    req: FastifyRequest,
    reply: FastifyReply,
    form: { rows?: { date: string; name: string; error?: string }[]; saved?: number; error?: boolean } = {},
    status = 200,
  ) {
    const { region } = await requireRegionAdmin(deps, req);
    const row = await db.region.findUniqueOrThrow({ where: { code: region.code } });
    const rows = form.rows ?? regionHolidays(row).map((h) => ({ date: h.date, name: h.name }));
    const blanks = Array.from({ length: 5 }, () => ({ date: "", name: "" }));
    return renderPage(deps, req, reply, "admin-holidays", { region, rows: [...rows, ...blanks], edited: row.holidays !== null, form }, status);
  }
  app.get("/admin/:region/holidays", (req, reply) => showHolidays(req, reply));
  app.post("/admin/:region/holidays", { preHandler: app.csrfProtection }, async (req, reply) => {
    const { region, staff } = await requireRegionAdmin(deps, req);
    const body = (req.body ?? {}) as Record<string, unknown>;
    let list: Holiday[];
    if (body.reset === "1") list = shippedHolidays();
    else {
      const parsed = parseHolidayRows(body);
      if (parsed.type === "error") return showHolidays(req, reply, { rows: parsed.rows, error: true }, 400);
      list = parsed.list;
    }
    const changed = await db.$transaction(async (tx) => {
      await tx.region.update({ where: { code: region.code }, data: { holidays: body.reset === "1" ? null : JSON.stringify(list) } });
      const n = await syncCenterHolidays(tx, region.code, list);
      await auditAdmin(tx, staff, "holidays.update", "region", region.code, region.code, { days: list.length, centers: n }, deps.clock());
      return n;
    });
    return showHolidays(req, reply, { saved: changed });
  });

  // Statistics of one period (the last 4–52 whole weeks), computed by the database (stats-repository.ts).
  const weeksOf = (req: FastifyRequest): PeriodWeeks => {
    const q = statsQuery.safeParse(req.query ?? {});
    return q.success ? (q.data.weeks as PeriodWeeks) : DEFAULT_WEEKS;
  };
  app.get("/admin/:region/stats", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const s = await regionStats(db, region.code, region.timezone, deps.clock(), weeksOf(req));
    return renderPage(deps, req, reply, "admin-stats", { region, s, periods: PERIOD_WEEKS, charts: { stackedColumns, horizontalBars } });
  });

  app.get("/admin/:region/stats.csv", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const weeks = weeksOf(req);
    const csv = statsCsv(region.code, await regionStats(db, region.code, region.timezone, deps.clock(), weeks));
    return reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="opora-stats-${region.code}-${weeks}w.csv"`)
      .send(`\uFEFF${csv}`);
  });
}
