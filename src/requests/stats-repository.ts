// Region statistics computed by the database (GROUP BY over one period), never by reading requests
// into memory: per day and week by urgency and category, time to first contact (median, 90th
// percentile) against the promise, promise kept and load per center, load per operator. Only
// counts and durations leave this module — no personal data is selected.
//
// The SQL is portable between SQLite and PostgreSQL except for three expressions (local day of a
// timestamp, minutes between two timestamps, integer truncation), which `dialect()` gives per
// engine. Percentiles come from a per-minute histogram (GROUP BY whole minutes), so they are exact
// to the minute without sorting rows. Served by the index Request(regionCode, createdAt).
import { engineOf, type Db } from "../db/client.ts";
import { CATEGORIES, type Category, URGENCIES, type Urgency } from "../domain/taxonomy.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { ALL_STATUSES, OPEN_STATUSES } from "./queue-order.ts";

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

interface Dialect {
  /** Local day "YYYY-MM-DD" of a timestamp column shifted by `offset` minutes. */
  localDay(column: string, offset: number): string;
  /** Minutes from column a to column b (fractional). */
  minutesBetween(a: string, b: string): string;
  /** Whole minutes (truncated towards zero; the values here are not negative). */
  whole(expr: string): string;
}

function dialect(db: Db): Dialect {
  if (engineOf(db) === "postgresql") {
    return {
      localDay: (c, o) => `to_char(${c} + make_interval(mins => ${Math.trunc(o)}), 'YYYY-MM-DD')`,
      minutesBetween: (a, b) => `(EXTRACT(EPOCH FROM (${b} - ${a})) / 60.0)`,
      whole: (e) => `CAST(FLOOR(${e}) AS INTEGER)`,
    };
  }
  // SQLite: date functions read Prisma's stored text timestamps; CAST truncates. julianday() is a
  // double (≈1e-7 min off), so a hair is added before truncating: 30 min must not become 29.
  return {
    localDay: (c, o) => `strftime('%Y-%m-%d', ${c}, '${Math.trunc(o) >= 0 ? "+" : ""}${Math.trunc(o)} minutes')`,
    minutesBetween: (a, b) => `((julianday(${b}) - julianday(${a})) * 1440.0)`,
    whole: (e) => `CAST(${e} + 0.00001 AS INTEGER)`,
  };
}

const zeroes = <K extends string>(keys: readonly K[]): Counts<K> => Object.fromEntries(keys.map((k) => [k, 0])) as Counts<K>;
const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : typeof v === "number" ? v : v == null ? 0 : Number(v));

export async function regionStats(db: Db, regionCode: string, timezone: string, now: Date, weeks: PeriodWeeks = DEFAULT_WEEKS): Promise<RegionStats> {
  const period = statsPeriod(timezone, now, weeks);
  const d = dialect(db);
  const where = Prisma.sql`"regionCode" = ${regionCode} AND "isTest" = false AND "createdAt" >= ${period.from} AND "createdAt" < ${period.to}`;
  const categorySums = Prisma.raw(
    CATEGORIES.map((c, i) => `SUM(CASE WHEN "categories" LIKE '%"${c}"%' THEN 1 ELSE 0 END) AS c${i}`).join(", "),
  );
  const openList = Prisma.join([...OPEN_STATUSES]);
  const contactMinutes = d.minutesBetween(`"createdAt"`, `"firstContactAt"`);

  // Three passes over the period's index entries: counts by day × urgency × queue (categories,
  // statuses and the promise summed alongside), the first-contact histogram, and operators.
  const statusSums = Prisma.raw(ALL_STATUSES.map((st, i) => `SUM(CASE WHEN "status" = '${st}' THEN 1 ELSE 0 END) AS s${i}`).join(", "));
  const [mainRows, contactRows, operatorRows] = await Promise.all([
    db.$queryRaw<Record<string, unknown>[]>`
      SELECT ${Prisma.raw(d.localDay(`"createdAt"`, period.offsetMinutes))} AS day, "urgency" AS urgency, "queueId" AS "queueId", COUNT(*) AS n,
        SUM(CASE WHEN "status" IN (${openList}) THEN 1 ELSE 0 END) AS open,
        SUM(CASE WHEN "firstContactAt" IS NOT NULL AND "firstContactAt" <= "dueAt" THEN 1 ELSE 0 END) AS kept,
        SUM(CASE WHEN "firstContactAt" > "dueAt" OR ("firstContactAt" IS NULL AND "dueAt" < ${now}) THEN 1 ELSE 0 END) AS late,
        SUM(${Prisma.raw(d.minutesBetween(`"createdAt"`, `"dueAt"`))}) AS promised,
        ${categorySums}, ${statusSums}
      FROM "Request" WHERE ${where}
      GROUP BY 1, 2, 3`,
    db.$queryRaw<{ urgency: string; m: unknown; n: unknown }[]>`
      SELECT "urgency" AS urgency, ${Prisma.raw(d.whole(contactMinutes))} AS m, COUNT(*) AS n
      FROM "Request" WHERE ${where} AND "firstContactAt" IS NOT NULL
      GROUP BY 1, 2`,
    db.$queryRaw<Record<string, unknown>[]>`
      SELECT "assigneeId" AS "assigneeId", COUNT(*) AS n,
        SUM(CASE WHEN "status" IN (${openList}) THEN 1 ELSE 0 END) AS open,
        SUM(CASE WHEN "firstContactAt" IS NOT NULL THEN 1 ELSE 0 END) AS contacted
      FROM "Request" WHERE ${where} AND "assigneeId" IS NOT NULL
      GROUP BY 1`,
  ]);
  const dayRows = mainRows;
  const queueRows = mainRows;
  const byStatus: Record<string, number> = {};
  for (const r of mainRows) {
    ALL_STATUSES.forEach((st, i) => {
      const k = num(r[`s${i}`]);
      if (k > 0) byStatus[st] = (byStatus[st] ?? 0) + k;
    });
  }

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
    CATEGORIES.forEach((c, i) => {
      const k = num(r[`c${i}`]);
      b.byCategory[c] += k;
      byCategory[c] += k;
    });
  }
  const dayList = [...days.values()].sort((a, b) => a.key.localeCompare(b.key));
  const weekMap = new Map<string, Bucket>();
  for (const day of dayList) {
    const w = bucket(weekMap, isoWeekOfDay(day.key));
    w.total += day.total;
    for (const u of URGENCIES) w.byUrgency[u] += day.byUrgency[u];
    for (const c of CATEGORIES) w.byCategory[c] += day.byCategory[c];
  }

  // Time to first contact per urgency, from the per-minute histogram.
  const hist = new Map<string, [number, number][]>();
  for (const r of contactRows) {
    const list = hist.get(r.urgency) ?? [];
    list.push([num(r.m), num(r.n)]);
    hist.set(r.urgency, list);
  }
  const promised = new Map<string, { sum: number; n: number; kept: number; late: number }>();
  const queueTotals = new Map<string, { total: number; open: number; kept: number; late: number }>();
  for (const r of queueRows) {
    const u = String(r.urgency);
    const p = promised.get(u) ?? { sum: 0, n: 0, kept: 0, late: 0 };
    p.sum += num(r.promised);
    p.n += num(r.n);
    p.kept += num(r.kept);
    p.late += num(r.late);
    promised.set(u, p);
    const q = queueTotals.get(String(r.queueId)) ?? { total: 0, open: 0, kept: 0, late: 0 };
    q.total += num(r.n);
    q.open += num(r.open);
    q.kept += num(r.kept);
    q.late += num(r.late);
    queueTotals.set(String(r.queueId), q);
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
    byStatus,
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
