// Regional admin: users of the region, the region's audit log, statistics (+ CSV without personal data).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { createStaffUser } from "../../auth/users.ts";
import { CATEGORIES, URGENCIES } from "../../domain/taxonomy.ts";
import type { Db } from "../../db/client.ts";
import { ALL_STATUSES } from "../../requests/queue-order.ts";
import { type AdminDeps, notFound, parseJsonArray, parseJsonObject, renderPage } from "../web-context.ts";
import { requireRegionAdmin } from "./admin-scope.ts";
import { writeAudit } from "../../audit/write-audit.ts";
import { isIsoDay } from "../hours-form.ts";
import { looksLikeMarkup } from "../phone-field.ts";
import { type Holiday, regionHolidays, shippedHolidays, sortHolidays, syncCenterHolidays } from "../public-holidays.ts";
import { auditAdmin } from "./admin-scope.ts";

export interface RegionStats {
  total: number;
  byCategory: [string, number][];
  byUrgency: [string, number][];
  byStatus: [string, number][];
  byCenter: [string, number][];
  byWeek: [string, number][];
  medianFirstContactMinutes: number | null;
}

/** ISO week label such as 2025-W07 (UTC). */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const yearStart = new Date(Date.UTC(t.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((t.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export async function regionStats(db: Db, regionCode: string): Promise<RegionStats> {
  // Only the columns statistics need: no personal data is ever read here. Test requests are excluded.
  const rows = await db.request.findMany({
    where: { regionCode, isTest: false },
    select: { categories: true, urgency: true, status: true, createdAt: true, firstContactAt: true, queue: { select: { center: { select: { name: true } } } } },
  });
  const count = (keys: string[], init: readonly string[] = []) => {
    const m = new Map<string, number>(init.map((k) => [k, 0]));
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m.entries()];
  };
  return {
    total: rows.length,
    byCategory: count(rows.flatMap((r) => parseJsonArray(r.categories)), CATEGORIES),
    byUrgency: count(rows.map((r) => r.urgency), URGENCIES),
    byStatus: count(rows.map((r) => r.status), ALL_STATUSES),
    byCenter: count(rows.map((r) => r.queue.center.name)).sort((a, b) => b[1] - a[1]),
    byWeek: count(rows.map((r) => isoWeek(r.createdAt))).sort((a, b) => a[0].localeCompare(b[0])),
    medianFirstContactMinutes: median(
      rows.filter((r) => r.firstContactAt).map((r) => ((r.firstContactAt as Date).getTime() - r.createdAt.getTime()) / 60_000),
    ),
  };
}

function csvCell(v: string | number): string {
  const s = String(v);
  // Quote always, and defuse spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${safe.replaceAll('"', '""')}"`;
}

export function statsCsv(regionCode: string, s: RegionStats): string {
  const lines: (string | number)[][] = [["region", "dimension", "value", "count"]];
  for (const [k, v] of s.byCategory) lines.push([regionCode, "category", k, v]);
  for (const [k, v] of s.byUrgency) lines.push([regionCode, "urgency", k, v]);
  for (const [k, v] of s.byStatus) lines.push([regionCode, "status", k, v]);
  for (const [k, v] of s.byCenter) lines.push([regionCode, "center", k, v]);
  for (const [k, v] of s.byWeek) lines.push([regionCode, "week", k, v]);
  lines.push([regionCode, "total", "all", s.total]);
  lines.push([regionCode, "median_first_contact_minutes", "all", s.medianFirstContactMinutes === null ? "" : Math.round(s.medianFirstContactMinutes)]);
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
    const actorIds = [...new Set(rows.map((r) => r.actorId).filter((x): x is string => !!x))];
    const names = new Map((await db.staffUser.findMany({ where: { id: { in: actorIds } } })).map((u) => [u.id, u.name]));
    return renderPage(deps, req, reply, "admin-audit", {
      region,
      page,
      hasMore: rows.length > PAGE,
      rows: rows.slice(0, PAGE).map((r) => ({ ...r, actor: (r.actorId && names.get(r.actorId)) || r.actorType, details: parseJsonObject(r.details) })),
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

  app.get("/admin/:region/stats", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    return renderPage(deps, req, reply, "admin-stats", { region, s: await regionStats(db, region.code) });
  });

  app.get("/admin/:region/stats.csv", async (req, reply) => {
    const { region } = await requireRegionAdmin(deps, req);
    const csv = statsCsv(region.code, await regionStats(db, region.code));
    return reply
      .type("text/csv; charset=utf-8")
      .header("Content-Disposition", `attachment; filename="opora-stats-${region.code}.csv"`)
      .send(`\uFEFF${csv}`);
  });
}
