// Regional admin: users of the region, the region's audit log, statistics (+ CSV without personal data).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createStaffUser } from "../../auth/users.ts";
import { CATEGORIES, URGENCIES } from "../../domain/taxonomy.ts";
import { DEFAULT_WEEKS, PERIOD_WEEKS, type PeriodWeeks, type RegionStats, regionStats } from "../../requests/stats-repository.ts";
import { horizontalBars, stackedColumns } from "../svg-charts.ts";
import { type AdminDeps, notFound, parseJsonObject, renderPage } from "../web-context.ts";
import { requireRegionAdmin } from "./admin-scope.ts";
import { isIsoDay } from "../hours-form.ts";
import { looksLikeMarkup } from "../phone-field.ts";
import { type Holiday, regionHolidays, shippedHolidays, sortHolidays } from "../public-holidays.ts";
import type { AdminChange } from "../repositories/admin-change.ts";
import { auditLogPage } from "../repositories/audit-log-repository.ts";
import { saveRegionHolidays } from "../repositories/holiday-repository.ts";
import { activeCentersAmong, findRegionStaffUser, listRegionStaff, setStaffActive } from "../repositories/region-staff-repository.ts";
import { activeCentersOfRegion } from "../repositories/center-repository.ts";

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

const auditQuery = z.object({ page: z.coerce.number().int().min(1).max(10_000).default(1) });
const PAGE = 100;

export function registerInsightRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db } = deps;
  const changeBy = (staff: { id: string }, regionCode: string): AdminChange => ({ staffId: staff.id, regionCode, at: deps.clock() });

  async function showUsers(
    req: FastifyRequest,
    reply: FastifyReply,
    form: { values?: Record<string, unknown>; error?: string } = {},
    status = 200,
  ) {
    const { region, staff } = await requireRegionAdmin(deps, req);
    const [users, centers] = await Promise.all([listRegionStaff(db, region.code), activeCentersOfRegion(db, region.code)]);
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
    const centers = await activeCentersAmong(db, region.code, f.data.centerIds);
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
    const user = await findRegionStaffUser(db, region.code, id);
    // Only accounts of this region, never a superadmin, never oneself.
    if (!f.success || !user || user.role === "superadmin" || user.id === staff.id) throw notFound();
    await setStaffActive(db, changeBy(staff, region.code), user.id, f.data.active === "true");
    return reply.redirect(`/admin/${region.code}/users`, 303);
  });

  app.get("/admin/:region/audit", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const q = auditQuery.safeParse(req.query ?? {});
    const page = q.success ? q.data.page : 1;
    const log = await auditLogPage(db, region.code, page, PAGE);
    return renderPage(deps, req, reply, "admin-audit", {
      region,
      has: (key: string) => deps.i18n.has("ru", key),
      page,
      hasMore: log.hasMore,
      rows: log.rows.map((r) => ({
        ...r,
        // A staff member by name; otherwise who in words (family, system, command line) — never an id.
        actor: r.actorType === "staff" && r.actorId ? { name: log.actorNames.get(r.actorId) ?? null, type: "staff" } : { name: null, type: r.actorType },
        entity: log.entity(r),
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
    const rows = form.rows ?? regionHolidays(region).map((h) => ({ date: h.date, name: h.name }));
    const blanks = Array.from({ length: 5 }, () => ({ date: "", name: "" }));
    return renderPage(deps, req, reply, "admin-holidays", { region, rows: [...rows, ...blanks], edited: region.holidays !== null, form }, status);
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
    const changed = await saveRegionHolidays(db, changeBy(staff, region.code), list, body.reset === "1");
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
