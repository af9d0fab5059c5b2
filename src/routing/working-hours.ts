// Working hours of a center in its region's timezone (IANA), evaluated with Intl only: no clock,
// no I/O. A schedule is a weekly list of [from, to) "HH:MM" intervals per day; "24:00" may end one.
// Dates ("YYYY-MM-DD", local) in `closed` (the center's own closures) and `holidays` (the region's
// public holidays, copied in when the center keeps them) close the center for the whole day.
import type { WeeklyHours } from "./types.ts";

/** Weekly hours plus whole days off, as stored in a center's `hours` column. */
export type Schedule = WeeklyHours & { closed?: readonly string[]; holidays?: readonly string[] };

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Russian short names of the weekdays, for explanations (index as in WEEKDAYS). */
const WEEKDAY_RU = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"] as const;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** "09:30" → 570; "24:00" → 1440; anything else → NaN. */
export function parseHhMm(s: string): number {
  const m = /^(\d{2}):(\d{2})$/.exec(s);
  if (!m) return Number.NaN;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (h === 24 && min === 0) return 24 * 60;
  if (h > 23 || min > 59) return Number.NaN;
  return h * 60 + min;
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timezone: string): Intl.DateTimeFormat {
  let f = formatters.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: timezone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      hourCycle: "h23",
    });
    formatters.set(timezone, f);
  }
  return f;
}

/** True when `timezone` is an IANA zone this runtime knows. */
export function isValidTimezone(timezone: string): boolean {
  try {
    formatterFor(timezone);
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  /** The local wall-clock time written as if it were UTC (ms), minute precision. */
  wall: number;
  /** 0 = Monday … 6 = Sunday. */
  weekday: number;
  /** Minutes since local midnight. */
  minutes: number;
}

// formatToParts is slow next to the rest of routing (a step routes its answers several times, each
// center's hours checked), and the result depends only on the zone and the minute: kept per minute.
const localTimes = new Map<string, LocalTime>();

function localTime(timezone: string, at: Date): LocalTime {
  const key = `${timezone}\u0000${Math.floor(at.getTime() / MINUTE)}`;
  let local = localTimes.get(key);
  if (!local) {
    if (localTimes.size >= 4096) localTimes.clear();
    local = computeLocalTime(timezone, at);
    localTimes.set(key, local);
  }
  return local;
}

function computeLocalTime(timezone: string, at: Date): LocalTime {
  const parts: Record<string, number> = {};
  for (const p of formatterFor(timezone).formatToParts(at)) {
    if (p.type !== "literal") parts[p.type] = Number(p.value);
  }
  const wall = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!);
  return { wall, weekday: (new Date(wall).getUTCDay() + 6) % 7, minutes: parts.hour! * 60 + parts.minute! };
}

/** The instant at which the clocks in `timezone` show the wall time `wall` (ms, written as UTC). */
function instantOfWall(timezone: string, wall: number): Date {
  const offsetAt = (instant: number) =>
    localTime(timezone, new Date(instant)).wall - Math.floor(instant / MINUTE) * MINUTE;
  let instant = wall - offsetAt(wall);
  const second = offsetAt(instant);
  if (wall - second !== instant) instant = wall - second;
  return new Date(instant);
}

/** "2027-01-01" of a local wall time (ms written as UTC). */
function isoDayOfWall(wall: number): string {
  return new Date(wall).toISOString().slice(0, 10);
}

function closedOn(hours: Schedule, isoDay: string): boolean {
  return !!(hours.closed?.includes(isoDay) || hours.holidays?.includes(isoDay));
}

function intervalsOf(hours: WeeklyHours, weekday: number): [number, number][] {
  return (hours[WEEKDAYS[weekday]!] ?? [])
    .map(([from, to]) => [parseHhMm(from), parseHhMm(to)] as [number, number])
    .filter(([from, to]) => Number.isFinite(from) && Number.isFinite(to) && from < to)
    .sort((a, b) => a[0] - b[0]);
}

/**
 * Whether a center with these hours is open at `now` in `timezone`. 24/7 is always open (closures
 * do not apply: the overflow chain relies on it); a closed date or public holiday closes the day.
 */
export function isOpenAt(hours: Schedule, is24x7: boolean, timezone: string, now: Date): boolean {
  if (is24x7) return true;
  const local = localTime(timezone, now);
  if (closedOn(hours, isoDayOfWall(local.wall - local.minutes * MINUTE))) return false;
  return intervalsOf(hours, local.weekday).some(([from, to]) => from <= local.minutes && local.minutes < to);
}

/**
 * When the center opens next: `now` itself when it is open (or 24/7), the start of the next
 * interval otherwise, or null when the schedule has no hours at all.
 */
export function nextOpening(hours: Schedule, is24x7: boolean, timezone: string, now: Date): Date | null {
  if (isOpenAt(hours, is24x7, timezone, now)) return now;
  const local = localTime(timezone, now);
  const midnight = local.wall - local.minutes * MINUTE;
  // Up to two months ahead: closures (the New Year holidays, a repair) may span more than a week.
  for (let offset = 0; offset <= 62; offset++) {
    const weekday = (local.weekday + offset) % 7;
    if (closedOn(hours, isoDayOfWall(midnight + offset * DAY))) continue;
    for (const [from] of intervalsOf(hours, weekday)) {
      if (offset === 0 && from <= local.minutes) continue;
      return instantOfWall(timezone, midnight + offset * DAY + from * MINUTE);
    }
  }
  return null;
}

/** "ср 23:00" — the local weekday and time at `at` in `timezone`, for Russian explanations. */
export function formatLocalRu(timezone: string, at: Date): string {
  const local = localTime(timezone, at);
  const hh = String(Math.floor(local.minutes / 60)).padStart(2, "0");
  const mm = String(local.minutes % 60).padStart(2, "0");
  return `${WEEKDAY_RU[local.weekday]} ${hh}:${mm}`;
}

/** The local wall clock at `at` in `timezone`: weekday, "HH:MM" and a day number to compare dates. */
export function localClock(timezone: string, at: Date): { weekday: Weekday; time: string; day: number } {
  const local = localTime(timezone, at);
  const hh = String(Math.floor(local.minutes / 60)).padStart(2, "0");
  const mm = String(local.minutes % 60).padStart(2, "0");
  return { weekday: WEEKDAYS[local.weekday]!, time: `${hh}:${mm}`, day: Math.floor(local.wall / DAY) };
}

/** The instant of `weekday` (0 = Monday) at `minutes` past local midnight, in the local week of `reference`. */
export function instantInLocalWeek(timezone: string, reference: Date, weekday: number, minutes: number): Date {
  const local = localTime(timezone, reference);
  const monday = local.wall - local.minutes * MINUTE - local.weekday * DAY;
  return instantOfWall(timezone, monday + weekday * DAY + minutes * MINUTE);
}

/** "2026-11-25T02:00" (no offset) read as the wall clock in `timezone`; null when not that shape. */
export function instantOfLocal(timezone: string, local: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(wall) ? null : instantOfWall(timezone, wall);
}
