import { describe, expect, it } from "vitest";
import { isOpenAt, nextOpening, type Schedule } from "../../src/routing/working-hours.ts";

// 2027-01-07 (Thursday) is a public holiday; 2027-01-01…08 are the New Year holidays.
const WEEKDAYS_9_18: Schedule = Object.fromEntries(["mon", "tue", "wed", "thu", "fri"].map((d) => [d, [["09:00", "18:00"]]]));
const TZ = "Europe/Samara";

describe("closed dates and public holidays", () => {
  it("a holiday or closed date closes the whole local day, in the region's timezone", () => {
    const hours: Schedule = { ...WEEKDAYS_9_18, holidays: ["2027-01-07"], closed: ["2027-01-12"] };
    expect(isOpenAt(hours, false, TZ, new Date("2027-01-07T12:00:00+04:00"))).toBe(false);
    expect(isOpenAt(hours, false, TZ, new Date("2027-01-12T12:00:00+04:00"))).toBe(false);
    expect(isOpenAt(hours, false, TZ, new Date("2027-01-13T12:00:00+04:00"))).toBe(true);
    // 2027-01-06 23:30 UTC is already 7 January 03:30 in Samara, but 6 January 23:30 in London.
    expect(isOpenAt({ ...hours, thu: [["00:00", "24:00"]], wed: [["00:00", "24:00"]] }, false, TZ, new Date("2027-01-06T23:30:00Z"))).toBe(false);
    expect(isOpenAt({ ...hours, thu: [["00:00", "24:00"]], wed: [["00:00", "24:00"]] }, false, "Europe/London", new Date("2027-01-06T23:30:00Z"))).toBe(true);
  });

  it("24/7 ignores closures: the overflow chain relies on it", () => {
    expect(isOpenAt({ closed: ["2027-01-07"] }, true, TZ, new Date("2027-01-07T12:00:00+04:00"))).toBe(true);
  });

  it("the next opening skips the New Year holidays, however long", () => {
    const ny = ["2027-01-01", "2027-01-04", "2027-01-05", "2027-01-06", "2027-01-07", "2027-01-08"];
    const hours: Schedule = { ...WEEKDAYS_9_18, holidays: ny };
    expect(nextOpening(hours, false, TZ, new Date("2026-12-31T19:00:00+04:00"))?.toISOString()).toBe(
      new Date("2027-01-11T09:00:00+04:00").toISOString(),
    );
  });
});
