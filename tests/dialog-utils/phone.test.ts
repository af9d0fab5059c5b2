import { describe, expect, it } from "vitest";
import { normalisePhone, type PhoneResult } from "../../src/dialog/phone.ts";

const ok = (e164: string, foreign = false): PhoneResult => ({ type: "ok", e164, foreign });
const bad = (reason: "too_short" | "not_a_number" | "invalid"): PhoneResult => ({ type: "invalid", reason });

const TABLE: [string, PhoneResult][] = [
  ["8 (999) 123-45-67", ok("+79991234567")],
  ["+7 999 1234567", ok("+79991234567")],
  ["9991234567", ok("+79991234567")],
  ["79991234567", ok("+79991234567")],
  ["89991234567", ok("+79991234567")],
  ["8-999-123-45-67", ok("+79991234567")],
  ["+7 (999) 123-45-67", ok("+79991234567")],
  ["  +7\u00A0999\u00A0123\u201145\u201167 ", ok("+79991234567")],
  ["8.999.123.45.67", ok("+79991234567")],
  ["tel:+79991234567", ok("+79991234567")],
  ["+7 495 123-45-67", ok("+74951234567")],
  ["8 800 2000 122", ok("+78002000122")],
  ["12345", bad("too_short")],
  ["123-45-67", bad("too_short")],
  ["+7 999 123", bad("too_short")],
  ["+7 (999) 123-45-6", bad("too_short")],
  ["abc", bad("not_a_number")],
  ["мой номер 89991234567", bad("not_a_number")],
  ["", bad("not_a_number")],
  ["   ", bad("not_a_number")],
  ["8 999 123 45 67 доб. 5", bad("not_a_number")],
  ["+7+9991234567", bad("not_a_number")],
  ["+7 000 123-45-67", bad("invalid")],
  ["8 000 123 45 67", bad("invalid")],
  ["+7 999 123 45 67 89", bad("invalid")],
  ["375291234567", bad("invalid")],
  ["1234567890123456789", bad("invalid")],
  ["+375 29 123-45-67", ok("+375291234567", true)],
  ["+49 30 12345678", ok("+493012345678", true)],
  ["0049 30 12345678", ok("+493012345678", true)],
  ["+380 50 123 4567", ok("+380501234567", true)],
  ["+1 202 555 0143", ok("+12025550143", true)],
  ["+7 700 123 4567", ok("+77001234567", true)],
  ["+49 123", bad("too_short")],
  ["+999 123456789", bad("invalid")],
];

describe("normalisePhone", () => {
  it.each(TABLE)("%j", (input, expected) => {
    expect(normalisePhone(input)).toEqual(expected);
  });
});
