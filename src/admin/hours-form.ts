// A center's working hours as a form: a weekday grid with up to SLOTS intervals a day (a break is
// the gap between two intervals), the center's own closed dates, and whether it keeps the region's
// public holidays. Read from flat form fields (h_mon_0_from, h_mon_0_to, …, closed[], holidays)
// into the `hours` JSON the routing engine reads (src/routing/working-hours.ts), and back.
import { parseHhMm, type Schedule, WEEKDAYS } from "../routing/working-hours.ts";

export const SLOTS = 3;
/** How many blank date inputs the form offers for new closures. */
export const BLANK_CLOSURES = 3;
const MAX_CLOSURES = 366;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** "2027-02-30" is refused: the date must exist. */
export function isIsoDay(s: string): boolean {
  if (!ISO_DAY.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

const str = (v: unknown): string => (typeof v === "string" ? v.trim() : "");
const list = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

export type HoursFormResult =
  | { type: "ok"; hours: Schedule; closed: string[]; keepsHolidays: boolean }
  | { type: "error"; errors: Record<string, string> };

/** The grid, closures and holidays switch of a submitted form; errors keyed by the row they belong to. */
export function parseHoursForm(body: Record<string, unknown>): HoursFormResult {
  const errors: Record<string, string> = {};
  const hours: Schedule = {};
  for (const day of WEEKDAYS) {
    const intervals: [string, string][] = [];
    for (let i = 0; i < SLOTS; i++) {
      const fromRaw = body[`h_${day}_${i}_from`];
      const toRaw = body[`h_${day}_${i}_to`];
      if ((fromRaw !== undefined && typeof fromRaw !== "string") || (toRaw !== undefined && typeof toRaw !== "string")) {
        errors[`hours_${day}`] ??= "web-err-hours-time";
        continue;
      }
      const from = str(fromRaw);
      const to = str(toRaw);
      if (from === "" && to === "") continue;
      // "00:00" as an end means midnight, written "24:00" by the engine.
      const end = to === "00:00" ? "24:00" : to;
      if (from === "" || to === "") errors[`hours_${day}`] ??= "web-err-hours-half";
      else if (!Number.isFinite(parseHhMm(from)) || !Number.isFinite(parseHhMm(end)) || from === "24:00") {
        errors[`hours_${day}`] ??= "web-err-hours-time";
      } else if (parseHhMm(from) >= parseHhMm(end)) errors[`hours_${day}`] ??= "web-err-hours-order";
      else intervals.push([from, end]);
    }
    intervals.sort((a, b) => parseHhMm(a[0]) - parseHhMm(b[0]));
    for (let i = 1; i < intervals.length; i++) {
      if (parseHhMm(intervals[i]![0]) < parseHhMm(intervals[i - 1]![1])) errors[`hours_${day}`] ??= "web-err-hours-overlap";
    }
    if (intervals.length > 0) hours[day] = intervals;
  }

  const closedRaw = list(body.closed);
  const closed: string[] = [];
  if (closedRaw.length > MAX_CLOSURES) errors.closed = "web-err-too-many";
  for (const c of closedRaw) {
    const s = str(c);
    if (s === "") continue;
    if (typeof c !== "string" || !isIsoDay(s)) errors.closed ??= "web-err-date";
    else if (closed.includes(s)) errors.closed ??= "web-err-date-duplicate";
    else closed.push(s);
  }
  if (Object.keys(errors).length > 0) return { type: "error", errors };
  closed.sort();
  if (closed.length > 0) hours.closed = closed;
  return { type: "ok", hours, closed, keepsHolidays: checkboxOn(body.holidays) };
}

const checkboxOn = (v: unknown) => v === "on" || v === "true" || v === "1";

/** Stored hours → the form's flat fields. */
export function hoursFormValues(hours: Schedule): Record<string, unknown> {
  const v: Record<string, unknown> = {};
  for (const day of WEEKDAYS) {
    (hours[day] ?? []).slice(0, SLOTS).forEach(([from, to], i) => {
      v[`h_${day}_${i}_from`] = from;
      v[`h_${day}_${i}_to`] = to === "24:00" ? "00:00" : to;
    });
  }
  v.closed = [...(hours.closed ?? [])];
  v.holidays = Array.isArray(hours.holidays) ? "on" : "";
  return v;
}

/** The closure dates to show: the submitted or stored ones, then a few blanks to add more. */
export function closureRows(v: Record<string, unknown>): string[] {
  const given = list(v.closed).map((x) => (typeof x === "string" ? x : "")).filter((x) => x !== "");
  return [...given, ...Array.from({ length: BLANK_CLOSURES }, () => "")];
}
