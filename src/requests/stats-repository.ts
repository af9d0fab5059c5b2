// Region statistics computed by the database, never by reading requests into memory: per day and
// week by urgency and category, time to first contact (median, 90th percentile) against the
// promise, promise kept and load per center, load per operator, and the "did this help?" answers.
// Everything is read from the per-day summary (stats-rollup.ts), brought up to date first, so a
// period costs one row per day and group rather than one per request. Only counts and durations
// leave this module — no personal data is selected. Percentiles come from a histogram of minute
// buckets (exact below an hour).
import type { Db } from "../db/client.ts";
import { CATEGORIES, type Category, URGENCIES, type Urgency } from "../domain/taxonomy.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { ALL_STATUSES, OPEN_STATUSES } from "./queue-order.ts";
import { refreshDailyStats } from "./stats-rollup.ts";

export const PERIOD_WEEKS = [4, 12, 26, 52] as const;
export type PeriodWeeks = (typeof PERIOD_WEEKS)[number];
/** The page opens on the last four weeks: the view an admin checks most, and the cheapest to count. */
export const DEFAULT_WEEKS: PeriodWeeks = 4;

export interface StatsPeriod {
  /** First local day (a Monday) and the last (today), "YYYY-MM-DD". */
  firstDay: string;
  lastDay: string;
  weeks: PeriodWeeks;
  /** UTC instants bounding the period [from, to). */
  from: Date;
  to: Date;
  /** Offset of the region's timezone from UTC, minutes (Russia keeps no daylight saving time). */
  offsetMinutes: number;
}

export type Counts<K extends string> = Record<K, number>;

export interface Bucket {
  /** A local day "2027-01-13" or an ISO week "2027-W02". */
  key: string;
  total: number;
  byUrgency: Counts<Urgency>;
  byCategory: Counts<Category>;
}

export interface ContactTimes {
  urgency: Urgency;
  /** Requests of the period with a first contact. */
  contacted: number;
  medianMinutes: number | null;
  p90Minutes: number | null;
  /** Average promised time (deadline − creation), minutes. */
  promisedMinutes: number | null;
  kept: number;
  late: number;
}

export interface CenterLoad {
  centerId: string;
  name: string;
  total: number;
  open: number;
  /** First contact by the deadline. */
  kept: number;
  /** First contact after the deadline, or none and the deadline has passed. */
  late: number;
  /** No contact yet, deadline still ahead. */
  pending: number;
}

export interface OperatorLoad {
  staffId: string;
  name: string;
  assigned: number;
  open: number;
  contacted: number;
}

export interface RatingStats {
  /** Answers 1…5 (index 0 = «1»). */
  counts: [number, number, number, number, number];
  answered: number;
  average: number | null;
}

export interface RegionStats {
  period: StatsPeriod;
  total: number;
  byUrgency: Counts<Urgency>;
  byCategory: Counts<Category>;
  byStatus: Record<string, number>;
  days: Bucket[];
  weeks: Bucket[];
  contact: ContactTimes[];
  centers: CenterLoad[];
  operators: OperatorLoad[];
  /** The "did this help?" answers given on the days of the period (anonymous: HelpRating). */
  rating: RatingStats;
}

const DAY_MS = 86_400_000;

/** Offset (minutes) of `timezone` from UTC at `at`. */
export function utcOffsetMinutes(timezone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: timezone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
  }).formatToParts(at);
  const n = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const wall = Date.UTC(n("year"), n("month") - 1, n("day"), n("hour"), n("minute"));
  return Math.round((wall - Math.floor(at.getTime() / 60_000) * 60_000) / 60_000);
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The last `weeks` whole local weeks up to today (the current week so far). */
export function statsPeriod(timezone: string, now: Date, weeks: PeriodWeeks): StatsPeriod {
  const offsetMinutes = utcOffsetMinutes(timezone, now);
  const localNow = now.getTime() + offsetMinutes * 60_000;
  const today = Math.floor(localNow / DAY_MS) * DAY_MS;
  const weekday = (new Date(today).getUTCDay() + 6) % 7; // 0 = Monday
  const first = today - (weekday + (weeks - 1) * 7) * DAY_MS;
  return {
    firstDay: isoDay(first),
    lastDay: isoDay(today),
    weeks,
    from: new Date(first - offsetMinutes * 60_000),
    to: new Date(today + DAY_MS - offsetMinutes * 60_000),
    offsetMinutes,
  };
}

/** ISO week label such as 2027-W02 of a day "YYYY-MM-DD". */
export function isoWeekOfDay(day: string): string {
  const t = new Date(`${day}T00:00:00Z`);
  const weekday = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - weekday);
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((t.getTime() - yearStart) / DAY_MS + 1) / 7);
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The value at percentile `p` (0–100) of a histogram [value, count][] sorted by value (nearest rank). */
export function percentileOfHistogram(hist: [number, number][], p: number): number | null {
  const total = hist.reduce((s, [, n]) => s + n, 0);
  if (total === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [v, n] of hist) {
    seen += n;
    if (seen >= rank) return v;
  }
  return hist.at(-1)?.[0] ?? null;
}

const zeroes = <K extends string>(keys: readonly K[]): Counts<K> => Object.fromEntries(keys.map((k) => [k, 0])) as Counts<K>;
const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : v == null ? 0 : Number(v));

export async function regionStats(db: Db, regionCode: string, timezone: string, now: Date, weeks: PeriodWeeks = DEFAULT_WEEKS): Promise<RegionStats> {
  const period = statsPeriod(timezone, now, weeks);
  // The per-day summary is brought up to date first (stats-rollup.ts); everything below reads it.
  await refreshDailyStats(db, { regionCode, firstDay: period.firstDay, lastDay: period.lastDay, offsetMinutes: period.offsetMinutes, now });
  const inPeriod = Prisma.sql`"regionCode" = ${regionCode} AND "day" >= ${period.firstDay} AND "day" <= ${period.lastDay}`;
  // A period is whole local weeks (from a Monday to today): the rest is read per week.
  const weeksIn = Prisma.sql`"regionCode" = ${regionCode} AND "week" >= ${period.firstDay} AND "week" <= ${period.lastDay}`;
  const [dayRows, groupRows, categoryRows, contactRows, operatorRows] = await Promise.all([
    db.$queryRaw<{ day: string; urgency: string; n: unknown }[]>`
      SELECT "day" AS day, "urgency" AS urgency, SUM("n") AS n FROM "RequestDailyStat" WHERE ${inPeriod} GROUP BY 1, 2`,
    db.$queryRaw<{ urgency: string; queueId: string; status: string; n: unknown; kept: unknown; late: unknown; promised: unknown }[]>`
      SELECT "urgency" AS urgency, "queueId" AS "queueId", "status" AS status, SUM("n") AS n, SUM("kept") AS kept,
        SUM("lateContact" + "overdue") AS late, SUM("promisedMinutes") AS promised
      FROM "RequestWeeklyStat" WHERE ${weeksIn} GROUP BY 1, 2, 3`,
    db.$queryRaw<{ day: string; category: string; n: unknown }[]>`
      SELECT "day" AS day, "category" AS category, "n" AS n FROM "RequestDailyCategory" WHERE ${inPeriod}`,
    db.$queryRaw<{ urgency: string; m: unknown; n: unknown }[]>`
      SELECT "urgency" AS urgency, "minutes" AS m, SUM("n") AS n FROM "RequestWeeklyContact" WHERE ${weeksIn} GROUP BY 1, 2`,
    db.$queryRaw<{ assigneeId: string; n: unknown; open: unknown; contacted: unknown }[]>`
      SELECT "assigneeId" AS "assigneeId", SUM("n") AS n, SUM("open") AS open, SUM("contacted") AS contacted
      FROM "RequestWeeklyOperator" WHERE ${weeksIn} GROUP BY 1`,
  ]);

  // Per day, then weeks from the days (a week is seven local days, so nothing is counted twice).
  const days = new Map<string, Bucket>();
  const bucket = (map: Map<string, Bucket>, key: string) => {
    let b = map.get(key);
    if (!b) {
      b = { key, total: 0, byUrgency: zeroes(URGENCIES), byCategory: zeroes(CATEGORIES) };
      map.set(key, b);
    }
    return b;
  };
  for (let t = Date.parse(`${period.firstDay}T00:00:00Z`); t <= Date.parse(`${period.lastDay}T00:00:00Z`); t += DAY_MS) bucket(days, isoDay(t));
  const byUrgency = zeroes(URGENCIES);
  const byCategory = zeroes(CATEGORIES);
  let total = 0;
  for (const r of dayRows) {
    const b = bucket(days, String(r.day));
    const n = num(r.n);
    const u = String(r.urgency) as Urgency;
    b.total += n;
    total += n;
    if (u in b.byUrgency) {
      b.byUrgency[u] += n;
      byUrgency[u] += n;
    }
  }
  for (const r of categoryRows) {
    const c = String(r.category) as Category;
    if (!(c in byCategory)) continue;
    const n = num(r.n);
    bucket(days, String(r.day)).byCategory[c] += n;
    byCategory[c] += n;
  }
  const dayList = [...days.values()].sort((a, b) => a.key.localeCompare(b.key));
  const weekMap = new Map<string, Bucket>();
  for (const day of dayList) {
    const w = bucket(weekMap, isoWeekOfDay(day.key));
    w.total += day.total;
    for (const u of URGENCIES) w.byUrgency[u] += day.byUrgency[u];
    for (const c of CATEGORIES) w.byCategory[c] += day.byCategory[c];
  }

  // Statuses; the promise per urgency; totals per queue (→ centers below).
  const open = new Set<string>(OPEN_STATUSES);
  const byStatus: Record<string, number> = {};
  const promised = new Map<string, { sum: number; n: number; kept: number; late: number }>();
  const queueTotals = new Map<string, { total: number; open: number; kept: number; late: number }>();
  for (const r of groupRows) {
    const n = num(r.n);
    if (n > 0) byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + n;
    const u = String(r.urgency);
    const p = promised.get(u) ?? { sum: 0, n: 0, kept: 0, late: 0 };
    p.sum += num(r.promised);
    p.n += n;
    p.kept += num(r.kept);
    p.late += num(r.late);
    promised.set(u, p);
    const q = queueTotals.get(String(r.queueId)) ?? { total: 0, open: 0, kept: 0, late: 0 };
    q.total += n;
    if (open.has(String(r.status))) q.open += n;
    q.kept += num(r.kept);
    q.late += num(r.late);
    queueTotals.set(String(r.queueId), q);
  }
  const statusOrder = new Map<string, number>(ALL_STATUSES.map((st, i) => [st, i]));
  const sortedStatus = Object.fromEntries(Object.entries(byStatus).sort(([a], [b]) => (statusOrder.get(a) ?? 99) - (statusOrder.get(b) ?? 99)));

  // Time to first contact per urgency, from the histogram of minute buckets.
  const hist = new Map<string, [number, number][]>();
  for (const r of contactRows) {
    const list = hist.get(r.urgency) ?? [];
    list.push([num(r.m), num(r.n)]);
    hist.set(r.urgency, list);
  }
  const contact: ContactTimes[] = URGENCIES.map((urgency) => {
    const h = (hist.get(urgency) ?? []).sort((a, b) => a[0] - b[0]);
    const p = promised.get(urgency);
    return {
      urgency,
      contacted: h.reduce((s, [, n]) => s + n, 0),
      medianMinutes: percentileOfHistogram(h, 50),
      p90Minutes: percentileOfHistogram(h, 90),
      promisedMinutes: p && p.n > 0 ? Math.round(p.sum / p.n) : null,
      kept: p?.kept ?? 0,
      late: p?.late ?? 0,
    };
  });

  // Queues → centers (a center may have several queues); names of centers and staff are looked up.
  const queues = await db.queue.findMany({
    where: { id: { in: [...queueTotals.keys()] } },
    select: { id: true, center: { select: { id: true, name: true } } },
  });
  const centerOf = new Map(queues.map((q) => [q.id, q.center]));
  const centers = new Map<string, CenterLoad>();
  for (const [queueId, q] of queueTotals) {
    const c = centerOf.get(queueId);
    if (!c) continue;
    const load = centers.get(c.id) ?? { centerId: c.id, name: c.name, total: 0, open: 0, kept: 0, late: 0, pending: 0 };
    load.total += q.total;
    load.open += q.open;
    load.kept += q.kept;
    load.late += q.late;
    load.pending = load.total - load.kept - load.late;
    centers.set(c.id, load);
  }
  const staff = await db.staffUser.findMany({
    where: { id: { in: operatorRows.map((r) => String(r.assigneeId)) } },
    select: { id: true, name: true },
  });
  const staffName = new Map(staff.map((s) => [s.id, s.name]));
  const operators = operatorRows
    .map((r) => ({
      staffId: String(r.assigneeId),
      name: staffName.get(String(r.assigneeId)) ?? "—",
      assigned: num(r.n),
      open: num(r.open),
      contacted: num(r.contacted),
    }))
    .sort((a, b) => b.assigned - a.assigned || a.name.localeCompare(b.name));

  return {
    period,
    total,
    byUrgency,
    byCategory,
    byStatus: sortedStatus,
    days: dayList,
    weeks: [...weekMap.values()],
    contact,
    centers: [...centers.values()].sort((a, b) => b.total - a.total || a.name.localeCompare(b.name)),
    operators,
    rating: await ratingStats(db, regionCode, period),
  };
}

/** Answers 1–5 by the local day they were given (they carry no link to a request). */
async function ratingStats(db: Db, regionCode: string, period: StatsPeriod): Promise<RatingStats> {
  const rows = await db.helpRating.groupBy({
    by: ["rating"],
    where: { regionCode, day: { gte: period.firstDay, lte: period.lastDay } },
    _count: { _all: true },
  });
  const counts: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const row of rows) {
    if (row.rating >= 1 && row.rating <= 5) counts[row.rating - 1] = (counts[row.rating - 1] ?? 0) + row._count._all;
  }
  const answered = counts.reduce((s, n) => s + n, 0);
  const average = answered ? counts.reduce((s, n, i) => s + n * (i + 1), 0) / answered : null;
  return { counts, answered, average };
}
