// Phone normalisation for the contact step: Russian numbers in any usual writing become +7 E.164;
// a foreign number is accepted only when written with "+" and its country code and valid for it.
import { parsePhoneNumberFromString, validatePhoneNumberLength } from "libphonenumber-js";

export type PhoneResult =
  | { type: "ok"; e164: string; foreign: boolean }
  | { type: "invalid"; reason: "too_short" | "not_a_number" | "invalid" };

// Separators people use when writing numbers (incl. no-break and thin spaces, dashes of all kinds).
const SEPARATORS = /[\s\u00A0\u2007\u202F\-\u2010-\u2015()./]/g;

export function normalisePhone(input: string): PhoneResult {
  let raw = String(input ?? "").trim();
  // A "tel:" link pasted from somewhere is still a phone number.
  raw = raw.replace(/^tel:/i, "");
  const compact = raw.replace(SEPARATORS, "");
  if (compact === "" || !/^\+?\d+$/.test(compact)) return { type: "invalid", reason: "not_a_number" };

  // "00" is the international prefix in most of the world: treat "0049…" like "+49…".
  const international = compact.startsWith("+") || compact.startsWith("00");
  const digits = compact.startsWith("+")
    ? compact.slice(1)
    : compact.startsWith("00")
      ? compact.slice(2)
      : compact;

  if (digits.length < 10) return { type: "invalid", reason: "too_short" };
  if (digits.length > 15) return { type: "invalid", reason: "invalid" };

  if (international) {
    const text = `+${digits}`;
    if (validatePhoneNumberLength(text) === "TOO_SHORT") return { type: "invalid", reason: "too_short" };
    const parsed = parsePhoneNumberFromString(text);
    if (!parsed?.isValid()) return { type: "invalid", reason: "invalid" };
    return { type: "ok", e164: parsed.number, foreign: parsed.country !== "RU" };
  }

  // Without "+" only the Russian national forms are accepted: 10 digits, or 11 starting with 7 or 8.
  const national = digits.length === 10 || (digits.length === 11 && /^[78]/.test(digits));
  if (!national) return { type: "invalid", reason: "invalid" };
  const parsed = parsePhoneNumberFromString(
    digits.length === 11 && digits.startsWith("7") ? `+${digits}` : digits,
    "RU",
  );
  if (!parsed?.isValid() || parsed.countryCallingCode !== "7") return { type: "invalid", reason: "invalid" };
  // +7 is shared with Kazakhstan (+7 6xx/7xx): valid, but not a Russian number.
  return { type: "ok", e164: parsed.number, foreign: parsed.country !== "RU" };
}
