// What the family is promised after sending a request (design.md §3, §5): who will contact them and
// by when, in their region's local time, or — when nothing is open — when the center opens and
// that only the emergency numbers answer now. Pure: the routing decision and `now` in, facts out;
// the dialog turns them into words.
import type { Urgency } from "../domain/taxonomy.ts";
import type { RoutingDecision } from "./types.ts";
import { localClock, type Weekday } from "./working-hours.ts";

const HOUR = 60 * 60 * 1000;

/** How soon someone contacts a family when a queue is open: P0 within an hour, P1 within a day. */
export const CONTACT_WITHIN_MS: Partial<Record<Urgency, number>> = { P0: HOUR, P1: 24 * HOUR };

/** Who answers: the center's own specialists, the region's 24/7 duty service, or the federal one. */
export type PromiseWho = "center" | "region_duty" | "federal_duty";

/** A moment in the family's local time. */
export interface LocalMoment {
  at: Date;
  weekday: Weekday;
  /** "HH:MM" local. */
  time: string;
  /** Same local day as now (or, for a deadline, less than 12 hours away), the next day, or later. */
  relative: "today" | "tomorrow" | "later";
}

export type ContactPromise =
  /** P0/P1 with an open queue: contact by a deadline. */
  | { type: "contact_by"; urgency: Urgency; who: PromiseWho; centerName: string; by: LocalMoment; overflowFrom: string | null }
  /** P2/P3 with an open center: within the usual term (3 working days, or when they can). */
  | { type: "within_term"; urgency: Urgency; who: PromiseWho; centerName: string }
  /** Nothing open: the center opens at `opensAt` (null: no hours known). For P0/P1 a coverage gap. */
  | { type: "after_opening"; urgency: Urgency; centerName: string; opensAt: LocalMoment | null };

export interface PromiseFacts {
  promise: ContactPromise;
  /** P0: the emergency numbers are the thing to call right now, whatever the promise. */
  emergencyNow: boolean;
  /** The family's region's IANA timezone; every time above is in it. */
  timezone: string;
}

function whoOf(decision: RoutingDecision): PromiseWho {
  if (!decision.center.is24x7) return "center";
  return decision.center.regionCode === null ? "federal_duty" : "region_duty";
}

export function localMoment(timezone: string, now: Date, at: Date, deadline = false): LocalMoment {
  const here = localClock(timezone, now);
  const there = localClock(timezone, at);
  const days = there.day - here.day;
  const soon = deadline && at.getTime() - now.getTime() < 12 * HOUR;
  return {
    at,
    weekday: there.weekday,
    time: there.time,
    relative: days <= 0 || soon ? "today" : days === 1 ? "tomorrow" : "later",
  };
}

export function contactPromise(decision: RoutingDecision, urgency: Urgency, now: Date): PromiseFacts {
  const tz = decision.timezone;
  const emergencyNow = urgency === "P0";
  const centerName = decision.center.name;
  if (!decision.openNow) {
    const opensAt = decision.nextOpeningAt ? localMoment(tz, now, decision.nextOpeningAt) : null;
    return { promise: { type: "after_opening", urgency, centerName, opensAt }, emergencyNow, timezone: tz };
  }
  const within = CONTACT_WITHIN_MS[urgency];
  const who = whoOf(decision);
  if (within === undefined) {
    return { promise: { type: "within_term", urgency, who, centerName }, emergencyNow, timezone: tz };
  }
  const by = localMoment(tz, now, new Date(now.getTime() + within), true);
  const overflowFrom = decision.overflow ? decision.chosen.center.name : null;
  return { promise: { type: "contact_by", urgency, who, centerName, by, overflowFrom }, emergencyNow, timezone: tz };
}
