// The statistics summary: a region's requests counted per local day of creation (RequestDaily*
// tables), so the statistics of a period read one row per day and group, not every request.
//
// It is brought up to date when statistics are read, never on the write paths: every change of a
// request goes through Prisma, which sets Request.updatedAt, so the days of requests changed since
// the last look (index Request(regionCode, updatedAt)) are counted again from Request, as are days
// never counted, and days where an uncontacted request's deadline has passed since (it turns from
// "pending" to "late"). A day is counted again in one grouped pass over its requests (the covering
// index Request_stats_idx, no personal columns read). The first look at a long period counts all
// of it once. Only counts leave this module.
import type { Db, Tx } from "../db/client.ts";
import { engineOf } from "../db/client.ts";
import { Prisma } from "../generated/prisma/client.ts";
import { OPEN_STATUSES } from "./queue-order.ts";

const DAY_MS = 86_400_000;
/**
 * Changes are looked for from this long before the newest updatedAt seen: a transaction that
 * stamped a row earlier but committed after the last look (or another process's clock a little
 * behind) is still caught. The days of rows changed in this window are counted again on each look.
 */
const LOOKBACK_MS = 10 * 60_000;

export interface Dialect {
  /** Local day "YYYY-MM-DD" of a timestamp column shifted by `offset` minutes. */
  localDay(column: string, offset: number): string;
  /** Minutes from column a to column b (fractional). */
  minutesBetween(a: string, b: string): string;
  /** Whole minutes (truncated towards zero; the values here are not negative). */
  whole(expr: string): string;
  /** A FROM item giving one row per category of request alias `r`, as column "value". */
  categoriesOf(alias: string): string;
}

export function dialect(db: Db | Tx): Dialect {
  if (engineOf(db) === "postgresql") {
    return {
      localDay: (c, o) => `to_char(${c} + make_interval(mins => ${Math.trunc(o)}), 'YYYY-MM-DD')`,
      minutesBetween: (a, b) => `(EXTRACT(EPOCH FROM (${b} - ${a})) / 60.0)`,
      whole: (e) => `CAST(FLOOR(${e}) AS INTEGER)`,
      categoriesOf: (r) => `jsonb_array_elements_text(${r}."categories"::jsonb) AS j(value)`,
    };
  }
  // SQLite: date functions read Prisma's stored text timestamps; CAST truncates. julianday() is a
  // double (≈1e-7 min off), so a hair is added before truncating: 30 min must not become 29.
  return {
    localDay: (c, o) => `strftime('%Y-%m-%d', ${c}, '${Math.trunc(o) >= 0 ? "+" : ""}${Math.trunc(o)} minutes')`,
    minutesBetween: (a, b) => `((julianday(${b}) - julianday(${a})) * 1440.0)`,
    whole: (e) => `CAST(${e} + 0.00001 AS INTEGER)`,
    categoriesOf: (r) => `json_each(${r}."categories") AS j`,
  };
}

/**
 * Minutes to first contact are kept in buckets: exact below an hour, then 5 minutes wide up to
 * 6 hours, 15 up to a day, an hour up to a week, 6 hours beyond. A bucket is named by its lower
 * bound, so a percentile is exact below an hour and at most one bucket low above it.
 */
export function contactBucketSql(m: string): string {
  return `CASE WHEN ${m} < 60 THEN ${m} WHEN ${m} < 360 THEN ${m} - (${m} % 5) WHEN ${m} < 1440 THEN ${m} - (${m} % 15) WHEN ${m} < 10080 THEN ${m} - (${m} % 60) ELSE ${m} - (${m} % 360) END`;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const dayStart = (day: string, offset: number) => new Date(Date.parse(`${day}T00:00:00Z`) - offset * 60_000);
const asDate = (v: unknown): Date | null => (v == null ? null : v instanceof Date ? v : new Date(String(v)));

/** Consecutive runs [first, last] of the sorted days. */
function runs(days: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (const day of days) {
    const last = out.at(-1);
    if (last && Date.parse(`${day}T00:00:00Z`) - Date.parse(`${last[1]}T00:00:00Z`) === DAY_MS) last[1] = day;
    else out.push([day, day]);
  }
  return out;
}

const TABLES = ["RequestDailyStat", "RequestDailyCategory", "RequestDailyContact", "RequestDailyOperator", "RequestDailyState"] as const;
const WEEK_TABLES = ["RequestWeeklyStat", "RequestWeeklyContact", "RequestWeeklyOperator"] as const;

/** The Monday "YYYY-MM-DD" of the week of a local day. */
export function mondayOf(day: string): string {
  const t = Date.parse(`${day}T00:00:00Z`);
  return isoDay(t - ((new Date(t).getUTCDay() + 6) % 7) * DAY_MS);
}

/** Sums the days of one week into the weekly tables (replacing that week's rows). */
async function sumWeek(tx: Tx, regionCode: string, week: string): Promise<void> {
  for (const table of WEEK_TABLES) await tx.$executeRaw`DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE "regionCode" = ${regionCode} AND "week" = ${week}`;
  const last = isoDay(Date.parse(`${week}T00:00:00Z`) + 6 * DAY_MS);
  const days = Prisma.sql`"regionCode" = ${regionCode} AND "day" >= ${week} AND "day" <= ${last}`;
  const head = Prisma.sql`CAST(${regionCode} AS TEXT), CAST(${week} AS TEXT)`;
  await tx.$executeRaw`
    INSERT INTO "RequestWeeklyStat" ("regionCode", "week", "urgency", "queueId", "status", "n", "kept", "lateContact", "overdue", "promisedMinutes")
    SELECT ${head}, "urgency", "queueId", "status", SUM("n"), SUM("kept"), SUM("lateContact"), SUM("overdue"), SUM("promisedMinutes")
    FROM "RequestDailyStat" WHERE ${days} GROUP BY "urgency", "queueId", "status"`;
  await tx.$executeRaw`
    INSERT INTO "RequestWeeklyContact" ("regionCode", "week", "urgency", "minutes", "n")
    SELECT ${head}, "urgency", "minutes", SUM("n") FROM "RequestDailyContact" WHERE ${days} GROUP BY "urgency", "minutes"`;
  await tx.$executeRaw`
    INSERT INTO "RequestWeeklyOperator" ("regionCode", "week", "assigneeId", "n", "open", "contacted")
    SELECT ${head}, "assigneeId", SUM("n"), SUM("open"), SUM("contacted") FROM "RequestDailyOperator" WHERE ${days} GROUP BY "assigneeId"`;
}

/**
 * Brings the summary of `regionCode` up to date for the days firstDay…lastDay (local days at
 * `offset` minutes from UTC), as of `now`. One transaction: a look either updates whole days or
 * nothing.
 */
export async function refreshDailyStats(
  db: Db,
  input: { regionCode: string; firstDay: string; lastDay: string; offsetMinutes: number; now: Date },
): Promise<{ counted: number }> {
  const { regionCode, firstDay, lastDay, offsetMinutes: offset, now } = input;
  const d = dialect(db);
  return db.$transaction(
    async (tx) => {
      const mark = await tx.requestStatsWatermark.findUnique({ where: { regionCode } });
      // Plain MAX (Prisma's aggregate wraps it in a subquery that reads every row of the region).
      const [top] = await tx.$queryRaw<{ m: unknown }[]>`SELECT MAX("updatedAt") AS m FROM "Request" WHERE "regionCode" = ${regionCode}`;
      const newest = asDate(top?.m);
      if (!mark || mark.offsetMinutes !== offset) {
        // Never counted, or the region's timezone moved its days: start over.
        for (const table of [...TABLES, ...WEEK_TABLES]) await tx.$executeRaw`DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE "regionCode" = ${regionCode}`;
      } else if (mark.seenUpdatedAt) {
        const since = new Date(mark.seenUpdatedAt.getTime() - LOOKBACK_MS);
        const changed = await tx.$queryRaw<{ day: string }[]>`
          SELECT DISTINCT ${Prisma.raw(d.localDay(`"createdAt"`, offset))} AS day FROM "Request"
          WHERE "regionCode" = ${regionCode} AND "updatedAt" >= ${since}`;
        if (changed.length > 0) await tx.requestDailyState.deleteMany({ where: { regionCode, day: { in: changed.map((r) => String(r.day)) } } });
      }
      const seen = newest ?? mark?.seenUpdatedAt ?? null;
      await tx.requestStatsWatermark.upsert({
        where: { regionCode },
        create: { regionCode, offsetMinutes: offset, seenUpdatedAt: seen },
        update: { offsetMinutes: offset, seenUpdatedAt: seen },
      });

      const states = await tx.requestDailyState.findMany({ where: { regionCode, day: { gte: firstDay, lte: lastDay } } });
      const upToDate = new Set(
        states
          .filter((s) => s.computedAt.getTime() <= now.getTime() && (!s.pendingUntil || s.pendingUntil.getTime() > now.getTime()))
          .map((s) => s.day),
      );
      const todo: string[] = [];
      for (let t = Date.parse(`${firstDay}T00:00:00Z`); t <= Date.parse(`${lastDay}T00:00:00Z`); t += DAY_MS) {
        if (!upToDate.has(isoDay(t))) todo.push(isoDay(t));
      }
      for (const [from, to] of runs(todo)) await countDays(tx, d, { regionCode, from, to, offset, now });
      const weeks = new Set(todo.map(mondayOf));
      for (const week of weeks) await sumWeek(tx, regionCode, week);
      return { counted: todo.length };
    },
    { timeout: 600_000, maxWait: 60_000 },
  );
}

/** Counts the local days from…to (inclusive) again from Request, replacing their summary rows. */
async function countDays(
  tx: Tx,
  d: Dialect,
  { regionCode, from, to, offset, now }: { regionCode: string; from: string; to: string; offset: number; now: Date },
): Promise<void> {
  for (const table of TABLES) {
    await tx.$executeRaw`DELETE FROM ${Prisma.raw(`"${table}"`)} WHERE "regionCode" = ${regionCode} AND "day" >= ${from} AND "day" <= ${to}`;
  }
  const start = dayStart(from, offset);
  const end = new Date(dayStart(to, offset).getTime() + DAY_MS);
  const where = (r: string) =>
    Prisma.sql`${Prisma.raw(r)}."regionCode" = ${regionCode} AND ${Prisma.raw(r)}."isTest" = false AND ${Prisma.raw(r)}."createdAt" >= ${start} AND ${Prisma.raw(r)}."createdAt" < ${end}`;
  const day = (r: string) => Prisma.raw(d.localDay(`${r}."createdAt"`, offset));
  const region = Prisma.sql`CAST(${regionCode} AS TEXT)`;
  const openList = Prisma.join([...OPEN_STATUSES]);

  await tx.$executeRaw`
    INSERT INTO "RequestDailyStat" ("regionCode", "day", "urgency", "queueId", "status", "n", "kept", "lateContact", "overdue", "promisedMinutes")
    SELECT ${region}, ${day("r")}, r."urgency", r."queueId", r."status", COUNT(*),
      SUM(CASE WHEN r."firstContactAt" IS NOT NULL AND r."firstContactAt" <= r."dueAt" THEN 1 ELSE 0 END),
      SUM(CASE WHEN r."firstContactAt" > r."dueAt" THEN 1 ELSE 0 END),
      SUM(CASE WHEN r."firstContactAt" IS NULL AND r."dueAt" < ${now} THEN 1 ELSE 0 END),
      SUM(${Prisma.raw(d.minutesBetween(`r."createdAt"`, `r."dueAt"`))})
    FROM "Request" r WHERE ${where("r")}
    GROUP BY 2, 3, 4, 5`;
  await tx.$executeRaw`
    INSERT INTO "RequestDailyCategory" ("regionCode", "day", "category", "n")
    SELECT ${region}, ${day("r")}, j.value, COUNT(*)
    FROM "Request" r, ${Prisma.raw(d.categoriesOf("r"))} WHERE ${where("r")}
    GROUP BY 2, 3`;
  await tx.$executeRaw`
    INSERT INTO "RequestDailyContact" ("regionCode", "day", "urgency", "minutes", "n")
    SELECT ${region}, t.day, t.urgency, ${Prisma.raw(contactBucketSql("t.m"))} AS b, COUNT(*)
    FROM (SELECT ${day("r")} AS day, r."urgency" AS urgency, ${Prisma.raw(d.whole(d.minutesBetween(`r."createdAt"`, `r."firstContactAt"`)))} AS m
          FROM "Request" r WHERE ${where("r")} AND r."firstContactAt" IS NOT NULL) t
    GROUP BY t.day, t.urgency, b`;
  await tx.$executeRaw`
    INSERT INTO "RequestDailyOperator" ("regionCode", "day", "assigneeId", "n", "open", "contacted")
    SELECT ${region}, ${day("r")}, r."assigneeId", COUNT(*),
      SUM(CASE WHEN r."status" IN (${openList}) THEN 1 ELSE 0 END),
      SUM(CASE WHEN r."firstContactAt" IS NOT NULL THEN 1 ELSE 0 END)
    FROM "Request" r WHERE ${where("r")} AND r."assigneeId" IS NOT NULL
    GROUP BY 2, 3`;

  // Each day counted now; where an uncontacted request's deadline is still ahead, the day is
  // counted again once it passes (that request becomes late).
  const pending = await tx.$queryRaw<{ day: string; due: unknown }[]>`
    SELECT ${day("r")} AS day, MIN(r."dueAt") AS due FROM "Request" r
    WHERE ${where("r")} AND r."firstContactAt" IS NULL AND r."dueAt" >= ${now}
    GROUP BY 1`;
  const until = new Map(pending.map((p) => [String(p.day), asDate(p.due)]));
  const rows: Prisma.Sql[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    const key = isoDay(t);
    rows.push(Prisma.sql`(${regionCode}, ${key}, ${now}, ${until.get(key) ?? null})`);
  }
  for (let i = 0; i < rows.length; i += 200) {
    await tx.$executeRaw`INSERT INTO "RequestDailyState" ("regionCode", "day", "computedAt", "pendingUntil") VALUES ${Prisma.join(rows.slice(i, i + 200))}`;
  }
}
