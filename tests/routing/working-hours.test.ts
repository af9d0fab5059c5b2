import { describe, expect, it } from "vitest";
import type { WeeklyHours } from "../../src/routing/types.ts";
import { formatLocalRu, isOpenAt, nextOpening, parseHhMm } from "../../src/routing/working-hours.ts";

const OFFICE: WeeklyHours = {
  mon: [["09:00", "18:00"]],
  tue: [["09:00", "18:00"]],
  wed: [
    ["09:00", "13:00"],
    ["14:00", "18:00"],
  ],
  thu: [["09:00", "18:00"]],
  fri: [["09:00", "17:00"]],
  sat: [["10:00", "24:00"]],
};

describe("isOpenAt", () => {
  // 2026-11-25 is a Wednesday; Samara is UTC+4, Novosibirsk UTC+7.
  it.each([
    ["2026-11-25T08:59:00+04:00", "Europe/Samara", false],
    ["2026-11-25T09:00:00+04:00", "Europe/Samara", true],
    ["2026-11-25T12:59:00+04:00", "Europe/Samara", true],
    ["2026-11-25T13:30:00+04:00", "Europe/Samara", false], // lunch break
    ["2026-11-25T17:59:00+04:00", "Europe/Samara", true],
    ["2026-11-25T18:00:00+04:00", "Europe/Samara", false], // intervals are [from, to)
    ["2026-11-28T23:59:00+04:00", "Europe/Samara", true], // Saturday until 24:00
    ["2026-11-29T12:00:00+04:00", "Europe/Samara", false], // Sunday: no hours
    // The same instant is 09:30 in Samara but 12:30 in Novosibirsk and 08:30 in Moscow.
    ["2026-11-25T05:30:00Z", "Europe/Samara", true],
    ["2026-11-25T05:30:00Z", "Asia/Novosibirsk", true],
    ["2026-11-25T05:30:00Z", "Europe/Moscow", false],
    ["2026-11-25T06:30:00Z", "Asia/Novosibirsk", false], // 13:30 there: lunch
  ])("at %s in %s → %s", (at, tz, open) => {
    expect(isOpenAt(OFFICE, false, tz, new Date(at))).toBe(open);
  });

  it("treats 24/7 as always open and an empty schedule as always closed", () => {
    const night = new Date("2026-11-29T03:00:00+04:00");
    expect(isOpenAt({}, true, "Europe/Samara", night)).toBe(true);
    expect(isOpenAt({}, false, "Europe/Samara", new Date("2026-11-25T12:00:00+04:00"))).toBe(false);
  });
});

describe("nextOpening", () => {
  it.each([
    ["open now → now", "2026-11-25T10:00:00+04:00", "2026-11-25T10:00:00+04:00"],
    ["before opening → today 09:00", "2026-11-25T07:15:00+04:00", "2026-11-25T09:00:00+04:00"],
    ["at lunch → 14:00", "2026-11-25T13:10:00+04:00", "2026-11-25T14:00:00+04:00"],
    ["Friday evening → Saturday 10:00", "2026-11-27T19:00:00+04:00", "2026-11-28T10:00:00+04:00"],
    ["Sunday → Monday 09:00", "2026-11-29T12:00:00+04:00", "2026-11-30T09:00:00+04:00"],
  ])("%s", (_name, at, expected) => {
    expect(nextOpening(OFFICE, false, "Europe/Samara", new Date(at))?.toISOString()).toBe(
      new Date(expected).toISOString(),
    );
  });

  it("works in the center's own timezone and is null without any hours", () => {
    // Friday 20:00 in Novosibirsk → Saturday 10:00 there (03:00 UTC).
    expect(
      nextOpening(OFFICE, false, "Asia/Novosibirsk", new Date("2026-11-27T13:00:00Z"))?.toISOString(),
    ).toBe("2026-11-28T03:00:00.000Z");
    expect(nextOpening({}, false, "Europe/Samara", new Date())).toBeNull();
    const now = new Date("2026-11-29T03:00:00Z");
    expect(nextOpening({}, true, "Europe/Samara", now)).toEqual(now);
  });
});

describe("helpers", () => {
  it("parses HH:MM, allows 24:00 as an end and rejects nonsense", () => {
    expect([parseHhMm("00:00"), parseHhMm("09:30"), parseHhMm("24:00")]).toEqual([0, 570, 1440]);
    for (const bad of ["24:01", "9:00", "25:00", "12:60", "noon"]) expect(parseHhMm(bad)).toBeNaN();
  });
  it("formats local weekday and time in Russian", () => {
    expect(formatLocalRu("Europe/Samara", new Date("2026-11-25T19:00:00Z"))).toBe("ср 23:00");
    expect(formatLocalRu("Asia/Novosibirsk", new Date("2026-11-25T19:00:00Z"))).toBe("чт 02:00");
  });
});
